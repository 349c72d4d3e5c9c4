package actors_test

import (
	"sync"
	"testing"

	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"

	"github.com/actornet/actornet/actors"
	"github.com/actornet/actornet/messages"
)

// activityRecorder is a SocketConfig.Activity that keeps every report.
type activityRecorder struct {
	mu    sync.Mutex
	calls []bool
}

func (a *activityRecorder) report(on bool) { a.mu.Lock(); a.calls = append(a.calls, on); a.mu.Unlock() }

func (a *activityRecorder) since(n int) []bool {
	a.mu.Lock()
	defer a.mu.Unlock()
	return append([]bool(nil), a.calls[n:]...)
}

func (a *activityRecorder) len() int { a.mu.Lock(); defer a.mu.Unlock(); return len(a.calls) }

// TestActivity follows a socket's activity as Node's handle would be active: connecting and
// reading, idle once paused with nothing to write, active again when resumed, and a command
// sent through Outbox.Command keeps it active until it was handled, even when a message
// queued before it (a Pause) is handled first.
func TestActivity(t *testing.T) {
	e := newEnv(t)
	ln, port := rawListener(t)
	loop := actors.NewLoop()
	out := actors.NewOutbox(0)
	rec := &activityRecorder{}
	connected := make(chan struct{}, 1)
	pid, err := actors.SpawnSocket(e.tree, actors.SocketConfig{Loop: loop, Outbox: out, Activity: rec.report,
		Handler: func(ev any) {
			if _, ok := ev.(*messages.ConnectEvent); ok {
				connected <- struct{}{}
			}
		}})
	require.NoError(t, err)
	settled := func() { // every message sent before has been handled
		_, err := e.sys.Root.RequestFuture(pid, &messages.Inspect{}, wait).Result()
		require.NoError(t, err)
	}
	e.send(pid, &messages.Connect{Host: "127.0.0.1", Port: port})
	peer, err := ln.Accept()
	require.NoError(t, err)
	defer peer.Close()
	recvT(t, connected, wait)
	settled()
	assert.Equal(t, []bool{true}, rec.since(0), "connecting, then reading")

	e.send(pid, &messages.Pause{})
	settled()
	assert.Equal(t, []bool{true, false}, rec.since(0), "paused with nothing to write")
	e.send(pid, &messages.Resume{})
	settled()
	assert.Equal(t, []bool{true, false, true}, rec.since(0), "resumed")

	// Pause and a Resume sent through Command queue up behind a task holding the loop.
	n := rec.len()
	gate := make(chan struct{})
	loop.Post(func() { <-gate })
	e.send(pid, &messages.Pause{})
	e.send(pid, out.Command(&messages.Resume{}))
	close(gate)
	settled()
	assert.NotContains(t, rec.since(n), false, "idle reported while the Resume was on its way")
	e.send(pid, &messages.Destroy{})
}
