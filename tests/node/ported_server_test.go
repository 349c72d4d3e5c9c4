package node

// Ports of Node's test-net-*.js tests about servers and addresses: listen, close, unref,
// maxConnections, local and remote addresses, lookup.

import (
	"slices"
	"sync"
	"sync/atomic"
	"testing"

	"github.com/stretchr/testify/assert"

	"github.com/actornet/actornet/internal/testkit"
	"github.com/actornet/actornet/netapi"
)

// TestNodeNetServerClose checks that a server closed while its two connections are destroyed
// emits 'close' once, and each connection emits 'close'.
// Ported from nodejs/node test/parallel/test-net-server-close.js.
func TestNodeNetServerClose(t *testing.T) {
	eachRuntime(t, func(t *testing.T, rt *netapi.Runtime) {
		events := &record[string]{}
		var mu sync.Mutex
		var sockets []*netapi.Socket
		var server *netapi.Server
		server = rt.CreateServer(netapi.ServerOptions{}, func(c *netapi.Socket) {
			c.OnClose(func(bool) { events.add("client") })
			mu.Lock()
			sockets = append(sockets, c)
			all := slices.Clone(sockets)
			mu.Unlock()
			if len(all) == 2 {
				server.Close(nil)
				for _, s := range all {
					s.Destroy()
				}
			}
		})
		server.OnClose(func() { events.add("server") })
		port := listenOn(t, server, "")
		rt.ConnectPort(port, "", nil)
		rt.ConnectPort(port, "", nil)
		waitDone(t, rt)
		// The order is undefined in Node: the events come in the same tick.
		assert.ElementsMatch(t, []string{"server", "client", "client"}, events.all(), "close events")
	})
}

// TestNodeNetListenCloseServer checks that a server closed right after listen() emits neither
// 'listening' nor 'error', and lets the process exit.
// Ported from nodejs/node test/parallel/test-net-listen-close-server.js.
func TestNodeNetListenCloseServer(t *testing.T) {
	eachRuntime(t, func(t *testing.T, rt *netapi.Runtime) {
		var listening, errs counter
		rt.AfterFunc(0, func() { // Node's script runs on its loop: listen() and close() in one tick
			server := rt.CreateServer(netapi.ServerOptions{}, nil)
			server.Listen(netapi.ListenOptions{Port: 0}, listening.inc)
			server.OnError(func(error) { errs.inc() })
			server.Close(nil)
		})
		waitDone(t, rt)
		settle(t, rt)
		assert.Equal(t, int64(0), listening.get(), "listening callbacks")
		assert.Equal(t, int64(0), errs.get(), "error events")
	})
}

// TestNodeNetServerCloseBeforeCallingLookupCallback checks that a server closed while its host
// name is being looked up never listens, and lets the process exit.
// Ported from nodejs/node test/parallel/test-net-server-close-before-calling-lookup-callback.js.
func TestNodeNetServerCloseBeforeCallingLookupCallback(t *testing.T) {
	eachRuntime(t, func(t *testing.T, rt *netapi.Runtime) {
		var listening counter
		rt.AfterFunc(0, func() {
			rt.CreateServer(netapi.ServerOptions{}, nil).
				Listen(netapi.ListenOptions{Port: 0, Host: "localhost"}, listening.inc).
				Close(nil)
		})
		waitDone(t, rt)
		settle(t, rt)
		assert.Equal(t, int64(0), listening.get(), "listening callbacks")
	})
}

// TestNodeNetListenError checks that listening on an address of another host emits 'error'
// and never 'listening'.
// Ported from nodejs/node test/parallel/test-net-listen-error.js.
func TestNodeNetListenError(t *testing.T) {
	eachRuntime(t, func(t *testing.T, rt *netapi.Runtime) {
		var listening counter
		errs := &record[error]{}
		server := rt.CreateServer(netapi.ServerOptions{}, nil)
		server.OnError(func(err error) { errs.add(err) })
		server.Listen(netapi.ListenOptions{Port: 1, Host: "1.1.1.1"}, listening.inc) // EACCES or EADDRNOTAVAIL
		waitDone(t, rt)
		settle(t, rt)
		assert.Equal(t, int64(0), listening.get(), "listening callbacks")
		if got := codes(errs.all()); assert.Len(t, got, 1, "error events") {
			assert.Contains(t, []string{"EACCES", "EADDRNOTAVAIL"}, got[0], "the error's code")
		}
	})
}

// TestNodeNetEaddrinuse checks that listening on a port in use emits EADDRINUSE.
// Ported from nodejs/node test/parallel/test-net-eaddrinuse.js.
func TestNodeNetEaddrinuse(t *testing.T) {
	eachRuntime(t, func(t *testing.T, rt *netapi.Runtime) {
		server1 := rt.CreateServer(netapi.ServerOptions{}, nil)
		server2 := rt.CreateServer(netapi.ServerOptions{}, nil)
		errs := &record[error]{}
		port := listenOn(t, server1, "")
		server2.OnError(func(err error) { errs.add(err); server1.Close(nil) })
		server2.Listen(netapi.ListenOptions{Port: port}, nil)
		waitDone(t, rt)
		assert.Equal(t, []string{"EADDRINUSE"}, codes(errs.all()), "server2's error events")
	})
}

// TestNodeNetServerCallListenMultipleTimes checks listen() after a failed listen, a second
// listen() while listening (ERR_SERVER_ALREADY_LISTEN), and listen() again after close().
// Ported from nodejs/node test/parallel/test-net-server-call-listen-multiple-times.js (Node
// throws for the second listen; netapi emits 'error').
func TestNodeNetServerCallListenMultipleTimes(t *testing.T) {
	eachRuntime(t, func(t *testing.T, rt *netapi.Runtime) {
		var firstErrs, firstListening, secondListening, thirdListening counter
		secondErrs := &record[error]{}
		// Node's script runs on its loop: the two listen() calls of the second part come before
		// anything else happens to that server.
		rt.AfterFunc(0, func() {
			// First: after an 'error' one can listen right away.
			dummy := rt.CreateServer(netapi.ServerOptions{}, nil)
			server1 := rt.CreateServer(netapi.ServerOptions{}, nil)
			server1.OnError(func(error) {
				firstErrs.inc()
				server1.Listen(netapi.ListenOptions{}, func() {
					firstListening.inc()
					dummy.Close(nil)
					server1.Close(nil)
				})
			})
			dummy.Listen(netapi.ListenOptions{}, func() {
				server1.Listen(netapi.ListenOptions{Port: dummy.Address().Port}, nil)
			})

			// Second: listen() while listening fails.
			server2 := rt.CreateServer(netapi.ServerOptions{}, nil)
			server2.OnError(func(err error) { secondErrs.add(err) })
			server2.Listen(netapi.ListenOptions{}, func() { secondListening.inc(); server2.Close(nil) })
			server2.Listen(netapi.ListenOptions{}, nil)

			// Third: after close() one can listen again.
			server3 := rt.CreateServer(netapi.ServerOptions{}, nil)
			server3.Listen(netapi.ListenOptions{}, func() {
				thirdListening.inc()
				server3.Close(nil)
				server3.Listen(netapi.ListenOptions{}, func() { thirdListening.inc(); server3.Close(nil) })
			})
		})
		waitDone(t, rt)
		assert.Equal(t, int64(1), firstErrs.get(), "first: error events")
		assert.Equal(t, int64(1), firstListening.get(), "first: listening after the error")
		assert.Equal(t, int64(1), secondListening.get(), "second: listening callbacks")
		assert.Equal(t, []string{"ERR_SERVER_ALREADY_LISTEN"}, codes(secondErrs.all()), "second: error events")
		assert.Equal(t, int64(2), thirdListening.get(), "third: listening callbacks")
	})
}

// TestNodeNetListening checks server.listening before listen, once listening and in close's
// callback.
// Ported from nodejs/node test/parallel/test-net-listening.js.
func TestNodeNetListening(t *testing.T) {
	eachRuntime(t, func(t *testing.T, rt *netapi.Runtime) {
		server := rt.CreateServer(netapi.ServerOptions{}, nil)
		seen := &record[string]{}
		seen.add("before " + js(server.Listening()))
		server.Listen(netapi.ListenOptions{}, func() {
			seen.add("listening " + js(server.Listening()))
			server.Close(func(error) { seen.add("closed " + js(server.Listening())) })
		})
		waitDone(t, rt)
		assert.Equal(t, []string{"before false", "listening true", "closed false"}, seen.all(), "server.listening")
	})
}

// TestNodeNetServerUnref checks that an unref'd listening server lets the process exit.
// Ported from nodejs/node test/parallel/test-net-server-unref.js.
func TestNodeNetServerUnref(t *testing.T) {
	eachRuntime(t, func(t *testing.T, rt *netapi.Runtime) {
		s := rt.CreateServer(netapi.ServerOptions{}, nil)
		s.Listen(netapi.ListenOptions{}, nil)
		s.Unref()
		waitDone(t, rt)
	})
}

// TestNodeNetServerUnrefPersistent checks that unref() before listen() still holds once the
// server listens.
// Ported from nodejs/node test/parallel/test-net-server-unref-persistent.js.
func TestNodeNetServerUnrefPersistent(t *testing.T) {
	eachRuntime(t, func(t *testing.T, rt *netapi.Runtime) {
		server := rt.CreateServer(netapi.ServerOptions{}, nil)
		server.Unref()
		listening := newSignal()
		server.Listen(netapi.ListenOptions{}, listening.fire)
		waitDone(t, rt)
		// And once it listens for sure, it still does not hold the process.
		testkit.Recv(t, listening.ch)
		waitDone(t, rt)
	})
}

// TestNodeNetServerMaxConnections checks maxConnections 10 with 20 clients: the first 10 are
// served, the last 10 are closed without data, and they close first.
// Ported from nodejs/node test/parallel/test-net-server-max-connections.js.
func TestNodeNetServerMaxConnections(t *testing.T) {
	const n = 20
	eachRuntime(t, func(t *testing.T, rt *netapi.Runtime) {
		var connections counter
		var mu sync.Mutex
		var waits []func()
		server := rt.CreateServer(netapi.ServerOptions{MaxConnections: n / 2}, func(c *netapi.Socket) {
			connections.inc()
			c.WriteString("hello", nil)
			mu.Lock()
			waits = append(waits, func() { c.End(nil, nil) })
			mu.Unlock()
		})
		port := listenOn(t, server, "")
		var closes atomic.Int64
		problems := &record[string]{}
		var makeConnection func(index int)
		makeConnection = func(index int) {
			c := rt.NewSocket(netapi.SocketOptions{})
			var gotData atomic.Bool
			c.OnConnect(func() {
				if index+1 < n {
					makeConnection(index + 1)
				}
				c.OnClose(func(bool) {
					closed := closes.Add(1)
					if closed < n/2 && index < n/2 {
						problems.add(js(index) + " should not have been one of the first closed connections")
					}
					if closed == n/2 {
						mu.Lock()
						ws := waits
						waits = nil
						mu.Unlock()
						for _, w := range ws {
							w()
						}
						server.Close(nil)
					}
					if index < n/2 && !gotData.Load() {
						problems.add(js(index) + " didn't get data, but should have")
					}
					if index >= n/2 && gotData.Load() {
						problems.add(js(index) + " got data, but shouldn't have")
					}
				})
			})
			c.OnEnd(func() { c.End(nil, nil) })
			c.OnData(func(b []byte) { gotData.Store(true) })
			c.OnError(func(err error) { problems.add(js(index) + " error " + code(err)) })
			c.ConnectPort(port, "", nil)
		}
		makeConnection(0)
		waitDone(t, rt)
		assert.Equal(t, int64(n), closes.Load(), "client close events")
		assert.Equal(t, int64(n/2), connections.get(), "connection events")
		assert.Empty(t, problems.all(), "problems")
	})
}

// TestNodeNetLocalAddressPort checks an accepted socket's local address and port.
// Ported from nodejs/node test/parallel/test-net-local-address-port.js.
func TestNodeNetLocalAddressPort(t *testing.T) {
	eachRuntime(t, func(t *testing.T, rt *netapi.Runtime) {
		var conns counter
		locals := &record[netapi.Addr]{}
		var server *netapi.Server
		server = rt.CreateServer(netapi.ServerOptions{}, func(s *netapi.Socket) {
			conns.inc()
			locals.add(s.LocalAddress())
			s.OnEnd(func() { server.Close(nil) })
			s.Resume()
		})
		port := listenOn(t, server, "127.0.0.1")
		client := rt.NewSocket(netapi.SocketOptions{})
		client.OnConnect(func() { client.End(nil, nil) })
		client.ConnectPort(port, "127.0.0.1", nil)
		waitDone(t, rt)
		assert.Equal(t, int64(1), conns.get(), "connections")
		if got := locals.all(); assert.Len(t, got, 1) {
			assert.Equal(t, "127.0.0.1", got[0].Address, "localAddress")
			assert.Equal(t, port, got[0].Port, "localPort")
		}
	})
}

// TestNodeNetRemoteAddressPort checks remote addresses, families and ports on both ends, at
// connect and at close, for a client to localhost and one to the default host.
// Ported from nodejs/node test/parallel/test-net-remote-address-port.js.
func TestNodeNetRemoteAddressPort(t *testing.T) {
	eachRuntime(t, func(t *testing.T, rt *netapi.Runtime) {
		addrOK := func(a netapi.Addr) bool {
			return (a.Address == "127.0.0.1" || a.Address == "::ffff:127.0.0.1") &&
				(a.Family == "IPv4" || a.Family == "IPv6")
		}
		problems := &record[string]{}
		check := func(what string, a netapi.Addr) {
			if !addrOK(a) {
				problems.add(what + ": " + a.Address + " " + a.Family)
			}
		}
		var conns counter
		var connsClosed atomic.Int64
		var server *netapi.Server
		var port int
		server = rt.CreateServer(netapi.ServerOptions{}, func(s *netapi.Socket) {
			conns.inc()
			r := s.RemoteAddress()
			check("server socket at connection", r)
			if r.Port == 0 || r.Port == server.Address().Port {
				problems.add("server socket remotePort " + js(r.Port))
			}
			s.OnEnd(func() {
				if connsClosed.Add(1) == 2 {
					server.Close(nil)
				}
			})
			s.OnClose(func(bool) { check("server socket at close", s.RemoteAddress()) })
			s.Resume()
		})
		port = listenOn(t, server, "localhost")
		for _, host := range []string{"localhost", ""} {
			client := rt.NewSocket(netapi.SocketOptions{})
			client.OnConnect(func() {
				r := client.RemoteAddress()
				check("client to "+host+" at connect", r)
				if r.Port != port {
					problems.add("client to " + host + " remotePort " + js(r.Port) + ", want " + js(port))
				}
				client.End(nil, nil)
			})
			client.OnClose(func(bool) { check("client to "+host+" at close", client.RemoteAddress()) })
			client.ConnectPort(port, host, nil)
		}
		waitDone(t, rt)
		assert.Equal(t, int64(2), conns.get(), "connections")
		assert.Empty(t, problems.all(), "addresses out of the candidates")
	})
}

// TestNodeNetSocketLocalAddress checks that the client's localPort and the server socket's
// remotePort agree, over two connections of one socket.
// Ported from nodejs/node test/parallel/test-net-socket-local-address.js.
func TestNodeNetSocketLocalAddress(t *testing.T) {
	eachRuntime(t, func(t *testing.T, rt *netapi.Runtime) {
		clientLocalPorts, serverRemotePorts := &record[int]{}, &record[int]{}
		var conns atomic.Int64
		var serverCloses counter
		client := rt.NewSocket(netapi.SocketOptions{})
		server := rt.CreateServer(netapi.ServerOptions{}, func(s *netapi.Socket) {
			serverRemotePorts.add(s.RemoteAddress().Port)
			s.End(nil, nil)
		})
		server.OnClose(serverCloses.inc)
		var connect func()
		connect = func() {
			if conns.Load() == 2 {
				server.Close(nil)
				return
			}
			conns.Add(1)
			client.ConnectPort(server.Address().Port, "127.0.0.1", func() {
				clientLocalPorts.add(client.LocalAddress().Port)
			})
		}
		client.OnClose(func(bool) { connect() }) // Node: client.once('close', connect) before each connect
		server.Listen(netapi.ListenOptions{Host: "127.0.0.1"}, connect)
		waitDone(t, rt)
		assert.Equal(t, int64(1), serverCloses.get(), "server close events")
		assert.Equal(t, int64(2), conns.Load(), "connections")
		assert.Equal(t, serverRemotePorts.all(), clientLocalPorts.all(), "client and server should agree on the ports used")
	})
}

// TestNodeNetDNSLookup checks the 'lookup' event of a connection to localhost: no error,
// 127.0.0.1, IPv4.
// Ported from nodejs/node test/parallel/test-net-dns-lookup.js (netapi's family is "IPv4" where
// Node's is 4, and it does not pass the host).
func TestNodeNetDNSLookup(t *testing.T) {
	eachRuntime(t, func(t *testing.T, rt *netapi.Runtime) {
		var server *netapi.Server
		server = rt.CreateServer(netapi.ServerOptions{}, func(c *netapi.Socket) {
			c.End(nil, nil)
			server.Close(nil)
		})
		port := listenOn(t, server, "127.0.0.1")
		lookups := &record[string]{}
		c := rt.NewSocket(netapi.SocketOptions{})
		c.OnLookup(func(err error, address, family string) {
			lookups.add(code(err) + " " + address + " " + family)
		})
		c.ConnectPort(port, "localhost", nil)
		waitDone(t, rt)
		assert.Equal(t, []string{"none 127.0.0.1 IPv4"}, lookups.all(), "lookup events (error, address, family)")
	})
}
