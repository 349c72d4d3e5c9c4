package actors_test

import (
	"testing"
	"time"

	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"

	"github.com/actornet/actornet/actors"
	"github.com/actornet/actornet/messages"
)

// A connection's first reader reads what is there before it parks: a client that sends as it
// connects (a request per connection) is served without a registration with the poller, and
// one that sends nothing has its reader parked, holding no goroutine.
func TestFirstReaderParksOnlyWhenNothingIsThere(t *testing.T) {
	e := newEnv(t)
	p := e.probe()
	parksAtData := make(chan uint64, 1)
	cfg := actors.ServerConfig{HoldAccepted: true}
	cfg.Socket.Handler = func(ev any) {
		if _, ok := ev.(*messages.DataEvent); ok {
			select {
			case parksAtData <- actors.Parks():
			default:
			}
		}
	}
	_, port := e.server(p, cfg)

	// The request is in the server's receive queue before its socket starts to read (a
	// write on loopback returns once the peer's kernel has the data).
	c := dialRaw(t, port)
	_, err := c.Write([]byte("request"))
	require.NoError(t, err)
	conn := expect[*messages.ConnectionEvent](p)
	before := actors.Parks()
	e.send(conn.Socket, &messages.Start{})
	select {
	case got := <-parksAtData:
		assert.Equal(t, before, got, "the first read found the request without parking first")
	case <-time.After(wait):
		t.Fatal("no data")
	}

	// A connection that sends nothing: its reader parks.
	dialRaw(t, port)
	quiet := expect[*messages.ConnectionEvent](p)
	before = actors.Parks()
	e.send(quiet.Socket, &messages.Start{})
	assert.Eventually(t, func() bool { return actors.Parks() > before }, wait, time.Millisecond,
		"the reader of a connection with nothing to read parks")
}
