package actors_test

import (
	"errors"
	"io"
	"net"
	"syscall"
	"testing"
	"time"

	"github.com/asynkron/protoactor-go/actor"
	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"

	"github.com/actornet/actornet/actors"
	"github.com/actornet/actornet/messages"
	"github.com/actornet/actornet/supervisor"
)

func TestHalfClose(t *testing.T) {
	for _, tc := range []struct {
		name          string
		allowHalfOpen bool
	}{{"allowHalfOpen=false ends by itself", false}, {"allowHalfOpen=true stays writable", true}} {
		t.Run(tc.name, func(t *testing.T) {
			e := newEnv(t)
			ln, port := rawListener(t)
			p := e.probe()
			c := e.client(p, actors.SocketConfig{AllowHalfOpen: tc.allowHalfOpen}, port)
			peer := acceptOne(t, ln)
			expect[*messages.ConnectEvent](p)

			_, err := peer.Write([]byte("ping"))
			require.NoError(t, err)
			require.NoError(t, peer.CloseWrite())
			assert.Equal(t, "ping", string(expect[*messages.DataEvent](p).Data))
			expect[*messages.EndEvent](p)

			if !tc.allowHalfOpen {
				expect[*messages.FinishEvent](p)
				assert.Empty(t, readAll(t, peer), "the peer gets our FIN and nothing else")
				assert.False(t, expect[*messages.CloseEvent](p).HadError)
				return
			}
			// Still writable after the peer's FIN, until End.
			p.quiet(100 * time.Millisecond)
			e.send(c, &messages.Write{Data: []byte("pong")})
			e.send(c, &messages.End{Data: []byte("!")})
			assert.Equal(t, "pong!", string(readAll(t, peer)))
			expect[*messages.FinishEvent](p)
			assert.False(t, expect[*messages.CloseEvent](p).HadError)
		})
	}
}

func TestEndBeforeConnectWaitsForConnection(t *testing.T) {
	e := newEnv(t)
	ln, port := rawListener(t)
	p := e.probe()
	c := e.client(p, actors.SocketConfig{}, port)
	e.send(c, &messages.End{Data: []byte("early")})
	peer := acceptOne(t, ln)
	expect[*messages.ConnectEvent](p)
	assert.Equal(t, "early", string(readAll(t, peer)))
	expect[*messages.FinishEvent](p)
	peer.CloseWrite()
	expect[*messages.EndEvent](p)
	expect[*messages.CloseEvent](p)
}

func TestPausedSocketHoldsAtMostOneReadBuffer(t *testing.T) {
	for _, tc := range []struct {
		name        string
		startPaused bool
	}{{"paused from the start", true}, {"paused while data flows", false}} {
		t.Run(tc.name, func(t *testing.T) {
			e := newEnv(t)
			ln, port := rawListener(t)
			p := e.probe()
			const bufSize = 16 * 1024
			c := e.client(p, actors.SocketConfig{ReadBufferSize: bufSize, Paused: tc.startPaused}, port)
			peer := acceptOne(t, ln)
			expect[*messages.ConnectEvent](p)

			const total = 50 << 20
			sent := make(chan int64, 1)
			go func() {
				var n int64
				buf := make([]byte, 1<<20)
				for n < total {
					// Once the kernel's buffers on both sides are full the peer blocks: that is
					// the backpressure under test. The deadline tells us it happened.
					_ = peer.SetWriteDeadline(time.Now().Add(300 * time.Millisecond))
					k, err := peer.Write(buf[:min(len(buf), int(total-n))])
					n += int64(k)
					if err != nil {
						break
					}
				}
				sent <- n
			}()
			var delivered int64
			if !tc.startPaused {
				delivered += int64(len(expect[*messages.DataEvent](p).Data))
				e.send(c, &messages.Pause{})
			}
			blockedAt := <-sent
			require.Less(t, blockedAt, int64(total), "the peer was never blocked: pause did not stop reading")
			info := inspectSocket(t, e, c)
			// Data events sent before the Pause was handled may still be on their way to the
			// probe: count them until it has been quiet for a while.
			for quiet := false; !quiet; {
				select {
				case ev := <-p.events:
					delivered += int64(len(ev.(*messages.DataEvent).Data))
				case <-time.After(200 * time.Millisecond):
					quiet = true
				}
			}
			assert.LessOrEqual(t, info.BytesRead-delivered, int64(bufSize),
				"a paused socket holds more than one read buffer")

			// Resume: everything arrives and the peer can finish.
			e.send(c, &messages.Resume{})
			go func() {
				_ = peer.SetWriteDeadline(time.Time{})
				_, _ = peer.Write(make([]byte, total-blockedAt))
				_ = peer.CloseWrite()
			}()
			for {
				ev := p.next()
				if d, ok := ev.(*messages.DataEvent); ok {
					delivered += int64(len(d.Data))
					continue
				}
				require.IsType(t, &messages.EndEvent{}, ev)
				break
			}
			assert.Equal(t, int64(total), delivered)
		})
	}
}

func inspectSocket(t *testing.T, e *env, pid *actor.PID) *messages.SocketInfo {
	t.Helper()
	res, err := e.sys.Root.RequestFuture(pid, &messages.Inspect{}, wait).Result()
	require.NoError(t, err)
	return res.(*messages.SocketInfo)
}

func TestPauseResumeDeliversInOrder(t *testing.T) {
	e := newEnv(t)
	ln, port := rawListener(t)
	p := e.probe()
	c := e.client(p, actors.SocketConfig{}, port)
	peer := acceptOne(t, ln)
	expect[*messages.ConnectEvent](p)
	e.send(c, &messages.Pause{})
	assert.Equal(t, "paused", inspectSocket(t, e, c).State)
	_, _ = peer.Write([]byte("while paused"))
	peer.CloseWrite()
	p.quiet(100 * time.Millisecond) // neither data nor end while paused
	e.send(c, &messages.Resume{})
	var got []byte
	for {
		ev := p.next()
		if d, ok := ev.(*messages.DataEvent); ok {
			got = append(got, d.Data...)
			continue
		}
		_, isEnd := ev.(*messages.EndEvent)
		require.True(t, isEnd, "got %T, want end", ev)
		break
	}
	assert.Equal(t, "while paused", string(got))
}

func TestDrainAfterHighWaterMark(t *testing.T) {
	e := newEnv(t)
	ln, port := rawListener(t)
	p := e.probe()
	c := e.client(p, actors.SocketConfig{HighWaterMark: 1024}, port)
	peer := acceptOne(t, ln)
	expect[*messages.ConnectEvent](p)

	e.send(c, &messages.Write{Data: make([]byte, 100)})
	e.send(c, &messages.Write{Data: make([]byte, 8<<20), Token: "big"})
	expect[*messages.FullEvent](p) // the queue passed the mark: writability is off
	go io.Copy(io.Discard, peer)
	w := expect[*messages.WrittenEvent](p)
	assert.Equal(t, "big", w.Token)
	assert.NoError(t, w.Err)
	expect[*messages.DrainEvent](p)
	// Below the mark: no drain is owed.
	e.send(c, &messages.Write{Data: make([]byte, 10), Token: "small"})
	assert.Equal(t, "small", expect[*messages.WrittenEvent](p).Token)
	p.quiet(50 * time.Millisecond)
}

func TestDestroyDropsPendingWrites(t *testing.T) {
	e := newEnv(t)
	ln, port := rawListener(t)
	p := e.probe()
	c := e.client(p, actors.SocketConfig{}, port)
	peer := acceptOne(t, ln)
	expect[*messages.ConnectEvent](p)
	// The peer does not read, so most of this stays queued.
	e.send(c, &messages.Write{Data: make([]byte, 32<<20), Token: 1})
	e.send(c, messages.Write{Data: []byte("tail"), Token: 2}) // by value works too
	e.send(c, &messages.Destroy{})
	e.send(c, &messages.Destroy{}) // idempotent
	expect[*messages.FullEvent](p)
	for _, tok := range []int{1, 2} {
		w := expect[*messages.WrittenEvent](p)
		assert.Equal(t, tok, w.Token)
		assert.ErrorIs(t, w.Err, actors.ErrSocketClosed)
	}
	assert.False(t, expect[*messages.CloseEvent](p).HadError)
	n, _ := io.Copy(io.Discard, peer)
	assert.Less(t, n, int64(32<<20), "queued writes should have been dropped")
	p.quiet(50 * time.Millisecond)
}

func TestConnectRefused(t *testing.T) {
	e := newEnv(t)
	ln, port := rawListener(t)
	ln.Close()
	p := e.probe()
	e.client(p, actors.SocketConfig{}, port)
	ev := expect[*messages.ErrorEvent](p)
	assert.ErrorIs(t, ev.Err, syscall.ECONNREFUSED)
	assert.True(t, expect[*messages.CloseEvent](p).HadError)
	p.quiet(50 * time.Millisecond)
}

func TestInvalidPort(t *testing.T) {
	for _, port := range []int{-1, 65536, 1 << 40} {
		e := newEnv(t)
		p := e.probe()
		e.client(p, actors.SocketConfig{}, port)
		assert.ErrorIs(t, expect[*messages.ErrorEvent](p).Err, actors.ErrInvalidPort)
		assert.True(t, expect[*messages.CloseEvent](p).HadError)
	}
}

func TestLookupLocalhost(t *testing.T) {
	e := newEnv(t)
	ln, port := rawListener(t)
	p := e.probe()
	pid := e.socket(p, actors.SocketConfig{})
	e.send(pid, &messages.Connect{Port: port}) // "" means localhost
	lk := expect[*messages.LookupEvent](p)
	require.NoError(t, lk.Err)
	assert.Equal(t, "localhost", lk.Host)
	assert.Equal(t, "127.0.0.1", lk.Address)
	assert.Equal(t, "IPv4", lk.Family)
	acceptOne(t, ln)
	expect[*messages.ConnectEvent](p)
}

func TestLookupFailure(t *testing.T) {
	e := newEnv(t)
	p := e.probe()
	pid := e.socket(p, actors.SocketConfig{})
	e.send(pid, &messages.Connect{Port: 80, Host: "no-such-host.invalid"})
	lk := expect[*messages.LookupEvent](p)
	var dnsErr *net.DNSError
	require.ErrorAs(t, lk.Err, &dnsErr)
	assert.True(t, dnsErr.IsNotFound)
	assert.ErrorAs(t, expect[*messages.ErrorEvent](p).Err, &dnsErr)
	assert.True(t, expect[*messages.CloseEvent](p).HadError)
}

func TestWriteAfterEnd(t *testing.T) {
	e := newEnv(t)
	ln, port := rawListener(t)
	p := e.probe()
	c := e.client(p, actors.SocketConfig{AllowHalfOpen: true}, port)
	peer := acceptOne(t, ln)
	expect[*messages.ConnectEvent](p)
	e.send(c, &messages.End{Data: []byte("bye")})
	e.send(c, &messages.Write{Data: []byte("late"), Token: "late"})
	expect[*messages.FinishEvent](p)
	w := expect[*messages.WrittenEvent](p)
	assert.ErrorIs(t, w.Err, actors.ErrWriteAfterEnd)
	assert.ErrorIs(t, expect[*messages.ErrorEvent](p).Err, actors.ErrWriteAfterEnd)
	assert.True(t, expect[*messages.CloseEvent](p).HadError)
	assert.Equal(t, "bye", string(readAll(t, peer)), "nothing after End is sent")
}

func TestIdleTimeout(t *testing.T) {
	e := newEnv(t)
	ln, port := rawListener(t)
	p := e.probe()
	c := e.client(p, actors.SocketConfig{}, port)
	peer := acceptOne(t, ln)
	expect[*messages.ConnectEvent](p)

	const d = 100 * time.Millisecond
	start := time.Now()
	e.send(c, &messages.SetTimeout{Timeout: d})
	expect[*messages.TimeoutEvent](p)
	assert.GreaterOrEqual(t, time.Since(start), d)
	// Once per idle period: no repeat without activity, and the socket stays open.
	p.quiet(3 * d)
	assert.Equal(t, "open", inspectSocket(t, e, c).State)

	// A read re-arms it: a new timeout comes a full period after the read.
	_, _ = peer.Write([]byte("x"))
	expect[*messages.DataEvent](p)
	readAt := time.Now()
	expect[*messages.TimeoutEvent](p)
	assert.GreaterOrEqual(t, time.Since(readAt), d-10*time.Millisecond)

	// A write re-arms it too.
	e.send(c, &messages.Write{Data: []byte("y"), Token: "y"})
	expect[*messages.WrittenEvent](p)
	expect[*messages.TimeoutEvent](p)

	// 0 turns it off.
	e.send(c, &messages.SetTimeout{})
	_, _ = peer.Write([]byte("z"))
	expect[*messages.DataEvent](p)
	p.quiet(3 * d)
}

func TestTimeoutBeforeConnect(t *testing.T) {
	e := newEnv(t)
	p := e.probe()
	pid := e.socket(p, actors.SocketConfig{})
	e.send(pid, &messages.SetTimeout{Timeout: 50 * time.Millisecond})
	expect[*messages.TimeoutEvent](p)
	e.send(pid, &messages.Destroy{})
	assert.False(t, expect[*messages.CloseEvent](p).HadError)
}

func TestKeepAliveIsSetOnTheDescriptor(t *testing.T) {
	e := newEnv(t)
	ln, port := rawListener(t)
	p := e.probe()
	pid := e.socket(p, actors.SocketConfig{})
	// Sent before connect: applied once connected.
	e.send(pid, &messages.SetKeepAlive{Enable: true, InitialDelay: 7 * time.Second})
	e.send(pid, &messages.SetNoDelay{NoDelay: false})
	e.send(pid, &messages.Connect{Port: port, Host: "127.0.0.1"})
	acceptOne(t, ln)
	expect[*messages.ConnectEvent](p)
	info := inspectSocket(t, e, pid)
	assert.True(t, info.KeepAlive)
	assert.Equal(t, 7*time.Second, info.KeepAliveIdle)
	assert.False(t, info.NoDelay)

	e.send(pid, &messages.SetKeepAlive{Enable: false})
	e.send(pid, &messages.SetNoDelay{NoDelay: true})
	info = inspectSocket(t, e, pid)
	assert.False(t, info.KeepAlive)
	assert.True(t, info.NoDelay)
}

func TestOwnerDeathClosesSocket(t *testing.T) {
	e := newEnv(t)
	ln, port := rawListener(t)
	p := e.probe()
	c := e.client(p, actors.SocketConfig{}, port)
	peer := acceptOne(t, ln)
	expect[*messages.ConnectEvent](p)
	watcher := e.probe()
	e.sys.Root.Spawn(actor.PropsFromFunc(func(ctx actor.Context) {
		switch m := ctx.Message().(type) {
		case *actor.Started:
			ctx.Watch(c)
		case *actor.Terminated:
			watcher.events <- m
		}
	}))
	require.NoError(t, e.sys.Root.StopFuture(p.pid).Wait())
	expect[*actor.Terminated](watcher)
	// The descriptor is closed: the peer reads EOF.
	_ = peer.SetReadDeadline(time.Now().Add(wait))
	_, err := peer.Read(make([]byte, 1))
	assert.ErrorIs(t, err, io.EOF)
}

func TestRegisterMovesEvents(t *testing.T) {
	e := newEnv(t)
	ln, port := rawListener(t)
	first, second := e.probe(), e.probe()
	c := e.client(first, actors.SocketConfig{}, port)
	peer := acceptOne(t, ln)
	expect[*messages.ConnectEvent](first)
	e.send(c, &messages.Register{Owner: second.pid})
	inspectSocket(t, e, c) // the Register was handled
	_, _ = peer.Write([]byte("to second"))
	assert.Equal(t, "to second", string(expect[*messages.DataEvent](second).Data))
	first.quiet(50 * time.Millisecond)
}

func TestPanicInHandlerClosesOnlyThatSocket(t *testing.T) {
	e := newEnv(t)
	ln, port := rawListener(t)
	events := make(chan any, 100)
	handler := func(ev any) {
		if d, ok := ev.(*messages.DataEvent); ok && string(d.Data) == "boom" {
			panic("handler exploded")
		}
		events <- ev
	}
	pid, err := actors.SpawnSocket(e.tree, actors.SocketConfig{Handler: handler})
	require.NoError(t, err)
	e.send(pid, &messages.Connect{Port: port, Host: "127.0.0.1"})
	peer := acceptOne(t, ln)
	next := func() any {
		select {
		case ev := <-events:
			return ev
		case <-time.After(wait):
			t.Fatal("no event")
			return nil
		}
	}
	require.IsType(t, &messages.ConnectEvent{}, next())
	_, _ = peer.Write([]byte("boom"))
	ev, ok := next().(*messages.ErrorEvent)
	require.True(t, ok)
	var pe *supervisor.PanicError
	require.True(t, errors.As(ev.Err, &pe))
	assert.Equal(t, "handler exploded", pe.Value)
	assert.Contains(t, string(pe.Stack), "TestPanicInHandlerClosesOnlyThatSocket")
	cl, ok := next().(*messages.CloseEvent)
	require.True(t, ok)
	assert.True(t, cl.HadError)
}

// As in Node, where a socket is still writable in its 'end' handler: what an owner actor
// writes while handling DataEvent and EndEvent goes out before the automatic FIN.
func TestOwnerWritesBeforeAutomaticEnd(t *testing.T) {
	e := newEnv(t)
	ln, port := rawListener(t)
	owner := e.sys.Root.Spawn(actor.PropsFromFunc(func(ctx actor.Context) {
		switch m := ctx.Message().(type) {
		case *messages.DataEvent:
			ctx.Send(m.Socket, &messages.Write{Data: m.Data})
		case *messages.EndEvent:
			ctx.Send(m.Socket, &messages.Write{Data: []byte(" bye")})
		}
	}))
	pid, err := actors.SpawnSocket(e.tree, actors.SocketConfig{Owner: owner})
	require.NoError(t, err)
	e.send(pid, &messages.Connect{Port: port, Host: "127.0.0.1"})
	peer := acceptOne(t, ln)
	_, _ = peer.Write([]byte("echo me"))
	require.NoError(t, peer.CloseWrite())
	assert.Equal(t, "echo me bye", string(readAll(t, peer)))
}
