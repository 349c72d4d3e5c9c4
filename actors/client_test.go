package actors_test

import (
	"strconv"
	"testing"
	"time"

	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"

	"github.com/actornet/actornet/actors"
	"github.com/actornet/actornet/messages"
	"github.com/actornet/actornet/supervisor"
)

// A client actor comes back after each reset of its server (5 here), telling its owner down
// (with the error and the next wait) and up; writes sent while down wait (FullEvent at the
// high-water mark, DrainEvent once handed over) and reach the next connection in order; End
// stops it with ClientCloseEvent last.
func TestClientActorReconnects(t *testing.T) {
	e := newEnv(t)
	ln, port := rawListener(t)
	p := e.probe()
	retry := supervisor.Budget{MaxRestarts: 100, Window: time.Minute, MinBackoff: 5 * time.Millisecond, MaxBackoff: 40 * time.Millisecond}
	c, err := actors.SpawnClient(e.tree, actors.ClientConfig{Owner: p.pid, Retry: retry,
		Connect: messages.Connect{Port: port, Host: "127.0.0.1"}, Socket: actors.SocketConfig{HighWaterMark: 8}})
	require.NoError(t, err)
	for round := range 5 {
		peer := acceptOne(t, ln)
		up := skipTo[*messages.ClientUpEvent](p)
		assert.Equal(t, c, up.Client)
		e.send(c, &messages.Write{Data: []byte("round " + strconv.Itoa(round) + "\n")})
		got := make([]byte, len("round 0\n"))
		_, err := peer.Read(got)
		require.NoError(t, err)
		assert.Equal(t, "round "+strconv.Itoa(round)+"\n", string(got))
		require.NoError(t, peer.SetLinger(0))
		require.NoError(t, peer.Close()) // a crash: the connection is reset
		down := skipTo[*messages.ClientDownEvent](p)
		assert.Error(t, down.Err)
		assert.GreaterOrEqual(t, down.RetryIn, time.Duration(float64(retry.MinBackoff)*0.8))
		assert.LessOrEqual(t, down.RetryIn, time.Duration(float64(retry.MaxBackoff)*1.2))
	}
	// Down now, until the next accept: writes wait.
	e.send(c, &messages.Write{Data: []byte("wait"), Token: 1})
	e.send(c, &messages.Write{Data: []byte("ing!"), Token: 2})
	skipTo[*messages.FullEvent](p)
	peer := acceptOne(t, ln)
	skipTo[*messages.ClientUpEvent](p)
	var written []any
	for len(written) < 2 {
		switch ev := p.next().(type) {
		case *messages.WrittenEvent:
			require.NoError(t, ev.Err)
			written = append(written, ev.Token)
		case *messages.DrainEvent:
			t.Fatal("DrainEvent before the writes that waited were handed over")
		}
	}
	assert.Equal(t, []any{1, 2}, written)
	skipTo[*messages.DrainEvent](p)
	got := make([]byte, 8)
	_, err = peer.Read(got)
	require.NoError(t, err)
	assert.Equal(t, "waiting!", string(got))
	e.send(c, &messages.End{})
	_ = peer.CloseWrite()
	skipTo[*messages.ClientCloseEvent](p)
}
