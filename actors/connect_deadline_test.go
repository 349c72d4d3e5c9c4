package actors_test

import (
	"context"
	"errors"
	"net"
	"os"
	"testing"
	"time"

	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"

	"github.com/actornet/actornet/actors"
	"github.com/actornet/actornet/internal/testkit"
	"github.com/actornet/actornet/messages"
)

// TestConnectThatNeverCompletes: a connect to a listener whose accept queue is full never
// completes; a Timeout, or a CancelConnect, ends it with the right error, then one close.
func TestConnectThatNeverCompletes(t *testing.T) {
	const timeout = 200 * time.Millisecond
	for _, tc := range []struct {
		name    string
		timeout time.Duration
		cancel  error // sent as CancelConnect once the socket is connecting
		want    error
	}{
		{"Timeout gives ErrConnectTimeout", timeout, nil, actors.ErrConnectTimeout},
		{"CancelConnect gives its error", 0, context.Canceled, context.Canceled},
		{"CancelConnect before the Timeout", time.Hour, context.DeadlineExceeded, context.DeadlineExceeded},
	} {
		t.Run(tc.name, func(t *testing.T) {
			e := newEnv(t)
			port := testkit.StalledPort(t)
			p := e.probe()
			c := e.socket(p, actors.SocketConfig{})
			start := time.Now()
			e.send(c, &messages.Connect{Port: port, Host: "127.0.0.1", Timeout: tc.timeout})
			if tc.cancel != nil {
				e.send(c, &messages.CancelConnect{Err: tc.cancel})
			}
			err := expect[*messages.ErrorEvent](p).Err
			assert.ErrorIs(t, err, tc.want)
			var oe *net.OpError
			if assert.ErrorAs(t, err, &oe) {
				assert.Equal(t, "connect", oe.Op)
			}
			if tc.want == actors.ErrConnectTimeout {
				assert.ErrorIs(t, err, os.ErrDeadlineExceeded)
				var ne net.Error
				assert.True(t, errors.As(err, &ne) && ne.Timeout(), "got %v, want a net.Error whose Timeout() is true", err)
				assert.GreaterOrEqual(t, time.Since(start), timeout, "failed before its Timeout")
			}
			assert.True(t, expect[*messages.CloseEvent](p).HadError)
			p.quiet(100 * time.Millisecond) // one close, and nothing after it
		})
	}
}

// TestConnectWithinTimeoutIsUnaffected: a connect that completes before its Timeout stays
// open past it, and a CancelConnect that comes after the connection does nothing.
func TestConnectWithinTimeoutIsUnaffected(t *testing.T) {
	const timeout = 150 * time.Millisecond
	e := newEnv(t)
	ln, port := rawListener(t)
	p := e.probe()
	c := e.socket(p, actors.SocketConfig{})
	start := time.Now()
	e.send(c, &messages.Connect{Port: port, Host: "127.0.0.1", Timeout: timeout})
	peer := acceptOne(t, ln)
	expect[*messages.ConnectEvent](p)
	e.send(c, &messages.CancelConnect{Err: context.Canceled})

	// The peer writes only once the Timeout has passed: the socket must still be there.
	time.Sleep(time.Until(start.Add(2 * timeout)))
	_, err := peer.Write([]byte("late"))
	require.NoError(t, err)
	assert.Equal(t, "late", string(expect[*messages.DataEvent](p).Data))
	require.NoError(t, peer.Close())
	expect[*messages.EndEvent](p)
	skipTo[*messages.CloseEvent](p)
}

func TestConnectNegativeTimeout(t *testing.T) {
	e := newEnv(t)
	_, port := rawListener(t)
	p := e.probe()
	c := e.socket(p, actors.SocketConfig{})
	e.send(c, &messages.Connect{Port: port, Host: "127.0.0.1", Timeout: -time.Second})
	assert.ErrorIs(t, expect[*messages.ErrorEvent](p).Err, actors.ErrInvalidTimeout)
	assert.True(t, expect[*messages.CloseEvent](p).HadError)
}
