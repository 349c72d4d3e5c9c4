package actors_test

import (
	"errors"
	"os"
	"testing"
	"time"

	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"

	"github.com/actornet/actornet/actors"
	"github.com/actornet/actornet/internal/testkit"
	"github.com/actornet/actornet/messages"
)

// Connections the accept loop accepted but the server had not handled yet when it stops
// (its owner died) are closed, as those still in the kernel's backlog are reset: none is
// left open with nobody serving it.
func TestServerStopClosesConnectionsAcceptedButNotHandled(t *testing.T) {
	e := newEnv(t)
	owner := e.probe()
	block := make(chan struct{})
	listening := make(chan int, 1)
	pid, err := actors.SpawnServer(e.tree, actors.ServerConfig{Owner: owner.pid, Handler: func(ev any) {
		switch ev := ev.(type) {
		case *messages.ListeningEvent:
			listening <- ev.Addr.Port
			<-block // the server is busy: connections wait in its mailbox
		}
	}})
	require.NoError(t, err)
	e.send(pid, &messages.Listen{Host: "127.0.0.1"})
	port := recvConn(t, listening)
	const n = 10
	conns := make([]interface {
		SetReadDeadline(time.Time) error
		Read([]byte) (int, error)
	}, 0, n)
	for range n { // accepted by the accept loop, queued for the busy server
		c := testkit.Dial(t, port)
		defer c.Close()
		conns = append(conns, c)
	}
	require.NoError(t, e.sys.Root.StopFuture(owner.pid).Wait()) // the server stops with its owner
	close(block)
	open, deadline := 0, time.Now().Add(3*time.Second)
	for _, c := range conns {
		_ = c.SetReadDeadline(deadline)
		if _, err := c.Read(make([]byte, 1)); errors.Is(err, os.ErrDeadlineExceeded) {
			open++
		}
	}
	assert.Zero(t, open, "connections accepted before the server stopped are still open, served by nobody")
}
