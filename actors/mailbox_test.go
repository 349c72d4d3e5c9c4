package actors

import (
	"testing"
	"time"

	"github.com/asynkron/protoactor-go/actor"
	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"

	"github.com/actornet/actornet/supervisor"
)

type batch []any

func (b batch) GetMessages() []any { return b }

// The socket mailbox keeps protoactor's mailbox contract, checked on a plain actor in a real
// actor system: order from one sender, batches, and a panic escalated to the supervisor,
// which suspends the mailbox, restarts the actor and resumes it without losing a message.
func TestMailboxKeepsProtoactorContract(t *testing.T) {
	sys := supervisor.NewSystem(nil)
	defer sys.Shutdown()
	got := make(chan any, 2000)
	props := actor.PropsFromFunc(func(ctx actor.Context) {
		switch m := ctx.Message().(type) {
		case string:
			if m == "panic" {
				panic("boom")
			}
			got <- m
		case int, batch, *actor.Restarting:
			got <- m
		}
	}, actor.WithMailbox(func() actor.Mailbox { return newMailbox(nil) }))
	// A parent, so that the failure is handled on another goroutine, after a while: only
	// the suspension keeps the child from handling what is behind the panic meanwhile.
	child := make(chan *actor.PID, 1)
	parent := sys.Root.Spawn(actor.PropsFromFunc(func(ctx actor.Context) {
		if _, ok := ctx.Message().(*actor.Started); ok {
			child <- ctx.Spawn(props)
		}
	}))
	defer sys.Root.Stop(parent)
	pid := <-child

	next := func() any {
		t.Helper()
		select {
		case m := <-got:
			return m
		case <-time.After(10 * time.Second):
			t.Fatal("no message")
			return nil
		}
	}
	for i := range 1000 {
		sys.Root.Send(pid, i)
	}
	for i := range 1000 {
		require.Equal(t, i, next())
	}

	sys.Root.Send(pid, batch{"a", "b"})
	assert.Equal(t, "a", next())
	assert.Equal(t, "b", next())
	assert.Equal(t, batch{"a", "b"}, next())

	sys.Root.Send(pid, "panic")
	sys.Root.Send(pid, "after")
	assert.IsType(t, &actor.Restarting{}, next())
	assert.Equal(t, "after", next(), "the message behind the panic survives the restart")
}
