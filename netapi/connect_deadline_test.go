package netapi_test

import (
	"context"
	"fmt"
	"net"
	"os"
	"sync/atomic"
	"testing"
	"time"

	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"

	"github.com/actornet/actornet/internal/testkit"
	"github.com/actornet/actornet/netapi"
)

// TestConnectDeadlines: a connect that never completes (a listener whose accept queue is
// full) ends with the error its bound asks for, then exactly one close(true).
func TestConnectDeadlines(t *testing.T) {
	const bound = 200 * time.Millisecond
	cancelled, cancel := context.WithCancel(context.Background())
	cancel()
	for _, tc := range []struct {
		name     string
		connect  func(rt *netapi.Runtime, ctx context.Context, opts netapi.ConnectOptions) *netapi.Socket // listeners added after it
		ctx      func() (context.Context, context.CancelFunc)
		cancelAt bool // cancel ctx once the socket connects
		timeout  time.Duration
		want     error
		code     string
	}{
		{name: "Timeout option", timeout: bound, want: netapi.ErrConnectTimeout, code: "ETIMEDOUT"},
		{name: "context deadline", want: context.DeadlineExceeded, code: "ETIMEDOUT",
			ctx: func() (context.Context, context.CancelFunc) { return context.WithTimeout(context.Background(), bound) }},
		{name: "context cancelled while connecting", cancelAt: true, want: context.Canceled, code: "ABORT_ERR",
			ctx: func() (context.Context, context.CancelFunc) { return context.WithCancel(context.Background()) }},
		{name: "context cancelled before", want: context.Canceled, code: "ABORT_ERR",
			ctx: func() (context.Context, context.CancelFunc) { return cancelled, func() {} }},
		{name: "deadline before the Timeout", timeout: time.Hour, want: context.DeadlineExceeded, code: "ETIMEDOUT",
			ctx: func() (context.Context, context.CancelFunc) { return context.WithTimeout(context.Background(), bound) }},
		{name: "Runtime.ConnectContext", want: context.DeadlineExceeded, code: "ETIMEDOUT",
			ctx: func() (context.Context, context.CancelFunc) { return context.WithTimeout(context.Background(), bound) },
			connect: func(rt *netapi.Runtime, ctx context.Context, opts netapi.ConnectOptions) *netapi.Socket {
				return rt.ConnectContext(ctx, opts, nil)
			}},
	} {
		t.Run(tc.name, func(t *testing.T) {
			rt := newRuntime(t)
			port := testkit.StalledPort(t)
			opts := netapi.ConnectOptions{Port: port, Host: "127.0.0.1", Timeout: tc.timeout}
			ctx, cancel := context.Background(), context.CancelFunc(func() {})
			if tc.ctx != nil {
				ctx, cancel = tc.ctx()
			}
			defer cancel()
			errs := make(chan error, 1)
			var closes, connects atomic.Int32
			start := time.Now()
			s := rt.NewSocket(netapi.SocketOptions{})
			if tc.connect != nil {
				s = tc.connect(rt, ctx, opts)
			}
			s.OnConnect(func() { connects.Add(1) })
			s.OnError(func(err error) { errs <- err })
			s.OnClose(func(hadError bool) {
				assert.True(t, hadError, "close(hadError): got false, want true")
				closes.Add(1)
			})
			switch {
			case tc.connect != nil:
			case tc.ctx != nil:
				s.ConnectContext(ctx, opts, nil)
			default:
				s.Connect(opts, nil)
			}
			if tc.cancelAt {
				cancel()
			}
			err := recv(t, errs)
			assert.ErrorIs(t, err, tc.want)
			assert.Equal(t, tc.code, netapi.Code(err))
			if tc.want == netapi.ErrConnectTimeout {
				assert.ErrorIs(t, err, os.ErrDeadlineExceeded)
			}
			if tc.code == "ETIMEDOUT" {
				assert.GreaterOrEqual(t, time.Since(start), bound, "failed before its bound")
			}
			wctx, wcancel := context.WithTimeout(context.Background(), wait)
			defer wcancel()
			require.NoError(t, rt.Wait(wctx)) // the socket's close listeners ran
			assert.Equal(t, int32(1), closes.Load(), "close listeners ran")
			assert.Zero(t, connects.Load(), "connect listeners ran")
			assert.True(t, s.Destroyed())
		})
	}
}

// TestConnectWithinDeadline: a connect that completes within its context's deadline and its
// Timeout is not touched by either when they pass.
func TestConnectWithinDeadline(t *testing.T) {
	const bound = 150 * time.Millisecond
	rt := newRuntime(t)
	srv := rt.CreateServer(netapi.ServerOptions{}, func(s *netapi.Socket) {
		s.OnData(func(b []byte) { s.Write(b, nil) })
	})
	port := listen(t, srv)
	ctx, cancel := context.WithTimeout(context.Background(), bound)
	defer cancel()
	log := newLog()
	start := time.Now()
	var c *netapi.Socket
	c = rt.NewSocket(netapi.SocketOptions{}).ConnectContext(ctx,
		netapi.ConnectOptions{Port: port, Host: "127.0.0.1", Timeout: bound}, func() { log.Add("connect") })
	c.OnData(func(b []byte) { log.Add("data " + string(b)); c.End(nil, nil) })
	c.OnError(func(err error) { log.Add("error " + netapi.Code(err)) })
	c.OnClose(func(hadError bool) {
		log.Add("close")
		srv.Close(nil)
	})
	log.WaitFor(t, "connect")
	<-ctx.Done()
	time.Sleep(time.Until(start.Add(2 * bound))) // past the Timeout too, counted a moment later
	c.Write([]byte("still here"), nil)
	log.WaitFor(t, "close")
	wctx, wcancel := context.WithTimeout(context.Background(), wait)
	defer wcancel()
	require.NoError(t, rt.Wait(wctx))
	assert.Equal(t, []string{"connect", "data still here", "close"}, log.All())
}

// TestResolver: with WithResolver, a host name is looked up through it (a DNS server of the
// test's that knows names nobody else does), for a connect and for a listen.
func TestResolver(t *testing.T) {
	dns := testkit.NewDNS(t, net.IPv4(127, 0, 0, 1))
	rt := newRuntime(t, netapi.WithResolver(dns.Resolver))
	srv := rt.CreateServer(netapi.ServerOptions{}, func(s *netapi.Socket) {
		s.OnData(func(b []byte) { s.End(b, nil) })
	})
	listening := make(chan struct{})
	srv.Listen(netapi.ListenOptions{Host: "server.actornet.test"}, func() { close(listening) })
	recv(t, listening)
	assert.Equal(t, "127.0.0.1", srv.Address().Address, "the listen's name resolved through the resolver")
	log := newLog()
	c := rt.NewSocket(netapi.SocketOptions{})
	c.OnLookup(func(err error, address, family string) { log.Add(fmt.Sprintf("lookup %v %s %s", err, address, family)) })
	c.OnData(func(b []byte) { log.Add("data " + string(b)) })
	c.OnError(func(err error) { log.Add("error " + err.Error()) })
	c.OnClose(func(hadError bool) { log.Add(fmt.Sprintf("close %v", hadError)); srv.Close(nil) })
	c.Connect(netapi.ConnectOptions{Port: srv.Address().Port, Host: "client.actornet.test"}, func() {
		log.Add("connect")
		c.Write([]byte("hello"), nil)
	})
	log.WaitFor(t, "close false")
	assert.Equal(t, []string{"lookup <nil> 127.0.0.1 IPv4", "connect", "data hello", "close false"}, log.All())
	assert.GreaterOrEqual(t, dns.Queries.Load(), int32(2), "queries for both names")
}

// TestConnectDeadlineCoversLookup: a connect's Timeout, and its context, bound the host
// lookup too: with a DNS server that never answers, the connect ends with the bound's error
// (the resolver's own timeout being seconds away), having asked the server.
func TestConnectDeadlineCoversLookup(t *testing.T) {
	const bound = 200 * time.Millisecond
	for _, tc := range []struct {
		name    string
		timeout time.Duration
		cancel  bool // cancel the context once the server was asked
		want    error
		code    string
	}{
		{name: "Timeout option", timeout: bound, want: netapi.ErrConnectTimeout, code: "ETIMEDOUT"},
		{name: "context cancelled while looking up", cancel: true, want: context.Canceled, code: "ABORT_ERR"},
	} {
		t.Run(tc.name, func(t *testing.T) {
			dns := testkit.NewDNS(t, nil)
			rt := newRuntime(t, netapi.WithResolver(dns.Resolver))
			ctx, cancel := context.WithCancel(context.Background())
			defer cancel()
			log := newLog()
			errs := make(chan error, 1)
			start := time.Now()
			c := rt.NewSocket(netapi.SocketOptions{})
			c.OnConnect(func() { log.Add("connect") })
			c.OnError(func(err error) { log.Add("error"); errs <- err })
			c.OnClose(func(hadError bool) { log.Add(fmt.Sprintf("close %v", hadError)) })
			c.ConnectContext(ctx, netapi.ConnectOptions{Port: 80, Host: "slow.actornet.test", Timeout: tc.timeout}, nil)
			if tc.cancel {
				for dns.Queries.Load() == 0 {
					require.Less(t, time.Since(start), wait, "the resolver never asked the DNS server")
					time.Sleep(time.Millisecond)
				}
				cancel()
			}
			err := recv(t, errs)
			assert.ErrorIs(t, err, tc.want)
			assert.Equal(t, tc.code, netapi.Code(err))
			if tc.timeout > 0 {
				elapsed := time.Since(start)
				assert.GreaterOrEqual(t, elapsed, bound, "failed before its bound")
				assert.Less(t, elapsed, 4*time.Second, "the resolver's own timeout (5 s) ended it, not the bound")
			}
			log.WaitFor(t, "close true")
			assert.Equal(t, []string{"error", "close true"}, log.All())
			assert.Positive(t, dns.Queries.Load(), "the DNS server was asked")
		})
	}
}

// A context done before ConnectContext is called fails the connect every time, even to a
// listening server on loopback whose dial would complete in microseconds: the socket never
// dials. (The cancel used to race the dial: ExampleSocket_ConnectContext connected once.)
func TestConnectContextDoneBeforeNeverConnects(t *testing.T) {
	rt := newRuntime(t)
	ln, port := testkit.Listener(t)
	go func() {
		for {
			c, err := ln.Accept()
			if err != nil {
				return
			}
			c.Close()
		}
	}()
	gone, cancel := context.WithCancel(context.Background())
	cancel()
	const n = 300
	codes := make(chan string, n)
	for range n { // from outside the loops: each socket's actor may dial at once
		c := rt.NewSocket(netapi.SocketOptions{})
		var code string
		c.OnConnect(func() { code = "connected" })
		c.OnError(func(err error) { code = netapi.Code(err) })
		c.OnClose(func(bool) { codes <- code })
		c.ConnectContext(gone, netapi.ConnectOptions{Port: port, Host: "127.0.0.1"}, nil)
	}
	for range n {
		select {
		case code := <-codes:
			require.Equal(t, "ABORT_ERR", code)
		case <-time.After(10 * time.Second):
			t.Fatal("a socket never closed")
		}
	}
}
