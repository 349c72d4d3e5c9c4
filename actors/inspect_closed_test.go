package actors_test

import (
	"testing"
	"time"

	"github.com/asynkron/protoactor-go/actor"
	"github.com/stretchr/testify/assert"

	"github.com/actornet/actornet/actors"
	"github.com/actornet/actornet/messages"
)

// TestInspectRacingTheCloseIsAnswered: Inspects sent while a socket closes are all answered,
// with its last state or, once the actor is gone, by protoactor's dead letter; none waits out
// its timeout (those that reached the closing mailbox used to).
func TestInspectRacingTheCloseIsAnswered(t *testing.T) {
	e := newEnv(t)
	ln, port := rawListener(t)
	p := e.probe()
	c := e.client(p, actors.SocketConfig{}, port)
	acceptOne(t, ln)
	expect[*messages.ConnectEvent](p)

	const n = 2000
	futures := make([]*actor.Future, 0, n)
	e.send(c, &messages.Destroy{})
	for range n {
		futures = append(futures, e.sys.Root.RequestFuture(c, &messages.Inspect{}, wait))
	}
	expect[*messages.CloseEvent](p)
	closed := 0
	for i, f := range futures {
		start := time.Now()
		res, err := f.Result()
		if err != nil {
			assert.ErrorIs(t, err, actor.ErrDeadLetter, "Inspect %d", i)
			continue
		}
		info, ok := res.(*messages.SocketInfo)
		if assert.True(t, ok, "Inspect %d: got %T", i, res) && info.State == "closed" {
			closed++
		}
		assert.Less(t, time.Since(start), wait/2, "Inspect %d waited", i)
	}
	t.Logf("%d of %d answered by the closed socket itself", closed, n)
}
