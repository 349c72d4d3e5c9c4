package node

import (
	"fmt"
	"strings"
	"testing"
	"time"

	"github.com/stretchr/testify/assert"

	"github.com/actornet/actornet/netapi"
)

// scenarios are the Go twins of scenarios/*.js, step for step; each comment is in the script.
var scenarios = map[string]func(rt *netapi.Runtime, r *recorder){
	"echo": func(rt *netapi.Runtime, r *recorder) {
		var server *netapi.Server
		server = rt.CreateServer(netapi.ServerOptions{}, func(s *netapi.Socket) {
			r.log("server", "connection", s.RemoteAddress().Family, s.RemoteAddress().Address,
				s.LocalAddress().Port == server.Address().Port)
			s.OnData(func(d []byte) { r.log("conn", "data", string(d)); s.Write(d, nil) })
			s.OnEnd(func() { r.log("conn", "end") })
			s.OnClose(func(h bool) {
				r.log("conn", "close", h, "read", s.BytesRead(), "written", s.BytesWritten())
				server.Close(nil)
			})
		})
		server.OnClose(func() { r.log("server", "server close") })
		server.ListenPort(0, "127.0.0.1", 0, func() {
			var c *netapi.Socket
			c = rt.ConnectPort(server.Address().Port, "127.0.0.1", func() {
				r.log("client", "connect", c.RemoteAddress().Family, c.RemoteAddress().Address,
					c.RemoteAddress().Port == server.Address().Port)
				c.WriteString("hello world", nil)
			})
			got := ""
			c.OnData(func(d []byte) {
				if got += string(d); len(got) == 11 {
					r.log("client", "data", got)
					c.End(nil, nil)
				}
			})
			c.OnEnd(func() { r.log("client", "end") })
			c.OnClose(func(h bool) { r.log("client", "close", h, "read", c.BytesRead(), "written", c.BytesWritten()) })
		})
	},
	"halfopen_false": func(rt *netapi.Runtime, r *recorder) {
		var server *netapi.Server
		server = rt.CreateServer(netapi.ServerOptions{AllowHalfOpen: true}, func(s *netapi.Socket) {
			got := ""
			s.OnData(func(d []byte) { got += string(d) })
			s.OnEnd(func() { r.log("server", "end, got", got); server.Close(nil) })
			s.End([]byte("bye"), nil)
		})
		server.ListenPort(0, "127.0.0.1", 0, func() {
			c := rt.Connect(netapi.ConnectOptions{Port: server.Address().Port, Host: "127.0.0.1"}, nil)
			c.OnData(func(d []byte) { r.log("client", "data", string(d)) })
			c.OnEnd(func() { r.log("client", "end"); c.WriteString("last words", nil) })
			c.OnFinish(func() { r.log("client", "finish") })
			c.OnClose(func(h bool) { r.log("client", "close", h) })
		})
	},
	"halfopen_true": func(rt *netapi.Runtime, r *recorder) {
		var server *netapi.Server
		server = rt.CreateServer(netapi.ServerOptions{AllowHalfOpen: true}, func(s *netapi.Socket) {
			got := ""
			s.OnData(func(d []byte) { got += string(d) })
			s.OnEnd(func() { r.log("server", "end, got", got); server.Close(nil) })
			s.End([]byte("bye"), nil)
		})
		server.ListenPort(0, "127.0.0.1", 0, func() {
			c := rt.Connect(netapi.ConnectOptions{Port: server.Address().Port, Host: "127.0.0.1", AllowHalfOpen: true}, nil)
			c.OnData(func(d []byte) { r.log("client", "data", string(d)) })
			c.OnEnd(func() {
				r.log("client", "end")
				c.WriteString("still writable", func(error) { r.log("client", "write callback") })
				c.End([]byte("done"), nil)
			})
			c.OnFinish(func() { r.log("client", "finish") })
			c.OnClose(func(h bool) { r.log("client", "close", h) })
		})
	},
	"destroy_pending": func(rt *netapi.Runtime, r *recorder) {
		received := 0
		var server *netapi.Server
		server = rt.CreateServer(netapi.ServerOptions{}, func(s *netapi.Socket) {
			s.OnData(func(d []byte) { received += len(d) })
			s.OnClose(func(bool) { r.log("server", "close, got less than sent", received < 64<<20); server.Close(nil) })
		})
		server.ListenPort(0, "127.0.0.1", 0, func() {
			var c *netapi.Socket
			c = rt.ConnectPort(server.Address().Port, "127.0.0.1", func() {
				c.Write(make([]byte, 64<<20), func(error) { r.log("client", "write callback") })
				c.WriteString("tail", func(err error) { r.log("client", "tail callback", code(err)) })
				c.Destroy()
				c.Destroy()
			})
			c.OnError(func(err error) { r.log("client", "error", code(err)) })
			c.OnClose(func(h bool) { r.log("client", "close", h) })
		})
	},
	"connect_refused": func(rt *netapi.Runtime, r *recorder) {
		server := rt.CreateServer(netapi.ServerOptions{}, nil)
		server.ListenPort(0, "127.0.0.1", 0, func() {
			port := server.Address().Port
			server.Close(func(error) {
				c := rt.ConnectPort(port, "127.0.0.1", func() { r.log("client", "connect") })
				c.OnError(func(err error) { r.log("client", "error", code(err)) })
				c.OnClose(func(h bool) { r.log("client", "close", h) })
			})
		})
	},
	"invalid_ports": func(rt *netapi.Runtime, r *recorder) {
		// Node throws; actornet reports an 'error' event. One port after the other, so that
		// each side's log keeps the order of the ports.
		ports := []int{-1, 65536, 1 << 31}
		var next func(i int)
		next = func(i int) {
			if i == len(ports) {
				return
			}
			port := ports[i]
			c := rt.ConnectPort(port, "127.0.0.1", nil)
			c.OnError(func(err error) {
				r.log("client", "connect", port, code(err))
				server := rt.CreateServer(netapi.ServerOptions{}, nil)
				server.OnError(func(err error) {
					r.log("server", "listen", port, code(err))
					next(i + 1)
				})
				server.ListenPort(port, "127.0.0.1", 0, nil)
			})
		}
		next(0)
	},
	"eaddrinuse": func(rt *netapi.Runtime, r *recorder) {
		first := rt.CreateServer(netapi.ServerOptions{}, nil)
		first.ListenPort(0, "127.0.0.1", 0, func() {
			second := rt.CreateServer(netapi.ServerOptions{}, nil)
			second.OnError(func(err error) {
				r.log("second", "error", code(err), "listening", second.Listening())
				second.ListenPort(0, "127.0.0.1", 0, func() {
					r.log("second", "listening on another port", second.Address().Port != first.Address().Port)
					second.Close(func(error) { r.log("second", "closed") })
					first.Close(func(error) { r.log("first", "closed") })
				})
			})
			second.ListenPort(first.Address().Port, "127.0.0.1", 0, nil)
		})
	},
	"pause_resume": func(rt *netapi.Runtime, r *recorder) {
		var server *netapi.Server
		server = rt.CreateServer(netapi.ServerOptions{}, func(s *netapi.Socket) {
			s.WriteString("one", nil)
			s.OnData(func(d []byte) {
				r.log("server", "ack", string(d))
				if string(d) == "paused" {
					s.End([]byte("two"), nil)
					server.Close(nil)
				}
			})
		})
		server.ListenPort(0, "127.0.0.1", 0, func() {
			c := rt.ConnectPort(server.Address().Port, "127.0.0.1", nil)
			paused, pausedOnce := false, false
			c.OnData(func(d []byte) {
				r.log("client", "data", string(d), "paused", paused)
				if !pausedOnce {
					paused, pausedOnce = true, true
					c.Pause()
					c.WriteString("paused", nil)
					rt.AfterFunc(100*time.Millisecond, func() { r.log("client", "resume"); paused = false; c.Resume() })
				}
			})
			c.OnEnd(func() { r.log("client", "end") })
			c.OnClose(func(h bool) { r.log("client", "close", h) })
		})
	},
	"timeout_reset": func(rt *netapi.Runtime, r *recorder) {
		var server *netapi.Server
		server = rt.CreateServer(netapi.ServerOptions{}, func(s *netapi.Socket) {
			s.OnData(func(d []byte) { r.log("server", "data", string(d)) })
			s.OnEnd(func() { s.End(nil, nil); server.Close(nil) })
		})
		server.ListenPort(0, "127.0.0.1", 0, func() {
			c := rt.ConnectPort(server.Address().Port, "127.0.0.1", nil)
			timeouts := 0
			c.SetTimeout(100*time.Millisecond, func() { r.log("client", "timeout callback") })
			c.OnTimeout(func() {
				timeouts++
				r.log("client", "timeout", timeouts, "destroyed", c.Destroyed())
				if timeouts == 1 {
					c.WriteString("activity", nil)
				} else {
					c.SetTimeout(0, nil)
					c.End(nil, nil)
				}
			})
			c.OnClose(func(h bool) { r.log("client", "close", h, "timeouts", timeouts) })
		})
	},
	"write_false_drain": func(rt *netapi.Runtime, r *recorder) {
		var server *netapi.Server
		server = rt.CreateServer(netapi.ServerOptions{}, func(s *netapi.Socket) {
			n := 0
			s.OnData(func(d []byte) { n += len(d) })
			s.OnEnd(func() { r.log("server", "got", n); s.End(nil, nil); server.Close(nil) })
		})
		server.ListenPort(0, "127.0.0.1", 0, func() {
			// Node's writes are queued while it connects, in the same tick; here the connection
			// may be up before the second write, so the writes come first and Connect after.
			c := rt.NewSocket(netapi.SocketOptions{})
			r.log("client", "write 16383", c.Write(make([]byte, 16383), nil))
			r.log("client", "write 1", c.Write(make([]byte, 1), nil))
			r.log("client", "write 1 MiB", c.Write(make([]byte, 1<<20), nil))
			r.log("client", "bytesWritten", c.BytesWritten())
			c.ConnectPort(server.Address().Port, "127.0.0.1", nil)
			c.OnDrain(func() {
				r.log("client", "drain, buffered", c.BufferSize())
				r.log("client", "write after drain", c.WriteString("x", nil))
				c.End(nil, nil)
			})
			c.OnClose(func(h bool) { r.log("client", "close", h) })
		})
	},
	"server_close_open_connection": func(rt *netapi.Runtime, r *recorder) {
		var server *netapi.Server
		server = rt.CreateServer(netapi.ServerOptions{}, func(s *netapi.Socket) {
			r.log("server", "connection")
			server.Close(func(err error) { r.log("server", "close callback", code(err)) })
			s.OnData(func(d []byte) { r.log("conn", "data", string(d)); s.WriteString("still here", nil) })
			s.OnEnd(func() { r.log("conn", "end") })
			s.OnClose(func(bool) { r.log("conn", "close") })
		})
		server.OnClose(func() { r.log("server", "close event") })
		server.ListenPort(0, "127.0.0.1", 0, func() {
			port := server.Address().Port
			var c *netapi.Socket
			c = rt.ConnectPort(port, "127.0.0.1", func() { c.WriteString("after close", nil) })
			c.OnData(func(d []byte) {
				r.log("client", "data", string(d))
				late := rt.ConnectPort(port, "127.0.0.1", nil)
				late.OnError(func(err error) { r.log("late", "error", code(err)); c.End(nil, nil) })
			})
			c.OnClose(func(h bool) { r.log("client", "close", h) })
		})
	},
	"write_after_end": func(rt *netapi.Runtime, r *recorder) {
		var server *netapi.Server
		server = rt.CreateServer(netapi.ServerOptions{AllowHalfOpen: true}, func(s *netapi.Socket) {
			got := ""
			s.OnData(func(d []byte) { got += string(d) })
			s.OnEnd(func() { r.log("server", "got", got); s.End(nil, nil); server.Close(nil) })
		})
		server.ListenPort(0, "127.0.0.1", 0, func() {
			var c *netapi.Socket
			c = rt.ConnectPort(server.Address().Port, "127.0.0.1", func() {
				c.End([]byte("first"), nil)
				r.log("client", "write returns", c.WriteString("second", func(err error) {
					r.log("client", "write callback", code(err))
				}))
			})
			c.OnError(func(err error) { r.log("client", "error", code(err)) })
			c.OnClose(func(h bool) { r.log("client", "close", h) })
		})
	},
	"end_callback_order": func(rt *netapi.Runtime, r *recorder) {
		var server *netapi.Server
		server = rt.CreateServer(netapi.ServerOptions{}, func(s *netapi.Socket) {
			got := ""
			s.OnData(func(d []byte) { got += string(d) })
			s.OnEnd(func() { r.log("server", "got", got); server.Close(nil) })
		})
		server.ListenPort(0, "127.0.0.1", 0, func() {
			var c *netapi.Socket
			c = rt.ConnectPort(server.Address().Port, "127.0.0.1", func() {
				c.OnFinish(func() { r.log("client", "finish listener") })
				c.WriteString("one", func(error) { r.log("client", "write callback") })
				c.End([]byte("two"), func(error) { r.log("client", "end callback") })
			})
			c.OnEnd(func() { r.log("client", "end") })
			c.OnClose(func(h bool) { r.log("client", "close", h) })
		})
	},
	"lookup_localhost": func(rt *netapi.Runtime, r *recorder) {
		var server *netapi.Server
		server = rt.CreateServer(netapi.ServerOptions{}, func(s *netapi.Socket) { s.End(nil, nil) })
		server.ListenPort(0, "127.0.0.1", 0, func() {
			port := server.Address().Port
			c := rt.NewSocket(netapi.SocketOptions{})
			c.OnLookup(func(err error, address, family string) { r.log("client", "lookup", err, address, family) })
			c.OnConnect(func() { r.log("client", "connect") })
			c.OnClose(func(bool) {
				r.log("client", "close")
				literal := rt.NewSocket(netapi.SocketOptions{})
				literal.OnLookup(func(error, string, string) { r.log("literal", "lookup") })
				literal.OnConnect(func() { r.log("literal", "connect") })
				literal.OnClose(func(bool) { r.log("literal", "close"); server.Close(nil) })
				literal.ConnectPort(port, "127.0.0.1", nil)
			})
			c.ConnectPort(port, "localhost", nil)
		})
	},
	"timeout_unconnected": func(rt *netapi.Runtime, r *recorder) {
		keepAlive := rt.AfterFunc(time.Hour, func() {})
		c := rt.NewSocket(netapi.SocketOptions{})
		c.SetTimeout(50*time.Millisecond, func() { r.log("client", "timeout"); c.Destroy() })
		c.OnError(func(error) { r.log("client", "error") })
		c.OnClose(func(bool) { r.log("client", "close"); keepAlive.Stop() })
	},
	"cork": func(rt *netapi.Runtime, r *recorder) {
		var server *netapi.Server
		conns := 0
		server = rt.CreateServer(netapi.ServerOptions{}, func(s *netapi.Socket) {
			conns++
			id := conns
			got := ""
			s.OnData(func(d []byte) {
				got += string(d)
				if id == 1 && strings.HasSuffix(got, "ping") {
					for i := range 3 {
						s.WriteString(fmt.Sprintf("r%d", i), nil)
					}
					r.log("server", "bufferSize after replies", s.BufferSize())
				}
			})
			s.OnEnd(func() {
				r.log("server", fmt.Sprintf("conn %d got", id), got)
				s.End(nil, nil)
				if id == 2 {
					server.Close(nil)
				}
			})
			s.OnError(func(error) {})
		})
		server.ListenPort(0, "127.0.0.1", 0, func() {
			port := server.Address().Port
			var c *netapi.Socket
			c = rt.Connect(netapi.ConnectOptions{Port: port, Host: "127.0.0.1", HighWaterMark: 8}, func() {
				c.Cork()
				c.Cork()
				a := c.WriteString("aaaa", nil)
				b := c.WriteString("bbbb", func(err error) { r.log("client", "bbbb callback", code(err)) })
				r.log("client", "write aaaa", a, "write bbbb", b)
				r.log("client", "corked", c.WritableCorked(), "writableLength", c.BufferSize())
				c.Uncork()
				r.log("client", "after one uncork", c.WritableCorked(), "writableLength", c.BufferSize())
				c.Uncork()
				r.log("client", "after two", c.WritableCorked(), "writableLength", c.BufferSize())
				c.Uncork()
				r.log("client", "extra uncork", c.WritableCorked())
				c.WriteString("ping", nil)
			})
			echoed := ""
			c.OnData(func(d []byte) {
				if echoed += string(d); echoed == "r0r1r2" {
					r.log("client", "replies", echoed)
					c.Cork()
					c.WriteString("tail", nil)
					c.End(nil, nil)
					r.log("client", "after end corked", c.WritableCorked())
				}
			})
			c.OnClose(func(h bool) {
				r.log("client", "close", h)
				var d *netapi.Socket
				d = rt.ConnectPort(port, "127.0.0.1", func() {
					d.Cork()
					d.WriteString("dropped", func(err error) { r.log("dropper", "write callback", code(err)) })
					d.Destroy()
				})
				d.OnClose(func(h bool) { r.log("dropper", "close", h) })
			})
		})
	},
	"several_listeners": func(rt *netapi.Runtime, r *recorder) {
		var server *netapi.Server
		server = rt.CreateServer(netapi.ServerOptions{}, func(s *netapi.Socket) { s.End([]byte("x"), nil) })
		server.ListenPort(0, "127.0.0.1", 0, func() {
			c := rt.NewSocket(netapi.SocketOptions{})
			c.OnConnect(func() { r.log("client", "connect listener 1") })
			c.OnConnect(func() { r.log("client", "connect listener 2") })
			c.ConnectPort(server.Address().Port, "127.0.0.1", func() { r.log("client", "connect callback") })
			c.OnConnect(func() { r.log("client", "connect listener 3") })
			c.OnData(func([]byte) { r.log("client", "data listener 1") })
			c.OnData(func([]byte) { r.log("client", "data listener 2") })
			c.OnClose(func(bool) { r.log("client", "close listener 1") })
			c.OnClose(func(bool) { r.log("client", "close listener 2"); server.Close(nil) })
		})
	},
}

// TestScenarios runs every scenario in Node and in Go and compares the two logs.
func TestScenarios(t *testing.T) {
	node := nodeBinary(t)
	for name, twin := range scenarios {
		t.Run(name, func(t *testing.T) {
			want := runNode(t, node, name)
			got := runGo(t, twin)
			assert.Equal(t, want, got, "Node's log, then actornet's")
		})
	}
}

// TestEveryScriptHasATwin keeps scenarios/ and the twins in step.
func TestEveryScriptHasATwin(t *testing.T) {
	scripts := scriptNames(t)
	for _, name := range scripts {
		assert.Contains(t, scenarios, name, "scenarios/%s.js has no Go twin", name)
	}
	assert.Len(t, scenarios, len(scripts))
	assert.GreaterOrEqual(t, len(scripts), 15)
}
