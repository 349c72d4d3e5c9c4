package actors_test

import (
	"testing"
	"time"

	"github.com/stretchr/testify/assert"

	"github.com/actornet/actornet/actors"
	"github.com/actornet/actornet/messages"
)

// A socket awaiting a consumer (Node's readableFlowing null) holds data and the end behind it
// until Flow; Pause before Flow keeps holding (Node: on('data') does not resume a paused
// stream), Resume then delivers; an end with no data before it comes at once, as in Node.
func TestAwaitConsumer(t *testing.T) {
	for _, tc := range []struct {
		name    string
		data    string
		cmds    []any // sent before the data comes
		release any   // sent after, to let it flow
	}{
		{"data then end waits for Flow", "ping", nil, &messages.Flow{}},
		{"data then end waits for Resume", "ping", nil, &messages.Resume{}},
		{"paused: Flow does not start it", "ping", []any{&messages.Pause{}, &messages.Flow{}}, &messages.Resume{}},
		{"an end alone comes at once", "", nil, nil},
	} {
		t.Run(tc.name, func(t *testing.T) {
			e := newEnv(t)
			ln, port := rawListener(t)
			p := e.probe()
			c := e.client(p, actors.SocketConfig{AwaitConsumer: true, AllowHalfOpen: true}, port)
			peer := acceptOne(t, ln)
			expect[*messages.ConnectEvent](p)
			for _, m := range tc.cmds {
				e.send(c, m)
			}
			if tc.data != "" {
				_, _ = peer.Write([]byte(tc.data))
			}
			_ = peer.CloseWrite()
			if tc.release != nil {
				p.quiet(100 * time.Millisecond)
				if len(tc.cmds) > 0 { // Flow again while paused: still nothing
					e.send(c, &messages.Flow{})
					p.quiet(50 * time.Millisecond)
				}
				e.send(c, tc.release)
				assert.Equal(t, tc.data, string(expect[*messages.DataEvent](p).Data))
			}
			expect[*messages.EndEvent](p)
			e.send(c, &messages.End{})
			expect[*messages.FinishEvent](p)
			assert.False(t, expect[*messages.CloseEvent](p).HadError)
		})
	}
}
