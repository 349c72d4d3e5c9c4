// Package netapi is the IoT.js net module for Go: servers and sockets with Node's API
// (createServer, connect, listen, write, end, destroy, pause, resume, setTimeout,
// setKeepAlive and their events), each driven by an actor of package actors underneath.
//
//	srv := netapi.CreateServer(netapi.ServerOptions{}, func(s *netapi.Socket) {
//		s.OnData(func(b []byte) { s.Write(b, nil) }) // echo
//	})
//	srv.Listen(netapi.ListenOptions{Port: 7000, Host: "127.0.0.1"}, func() {
//		c := netapi.ConnectPort(7000, "127.0.0.1", nil)
//		c.OnData(func(b []byte) { fmt.Printf("%s\n", b); srv.Close(nil) })
//		c.End([]byte("hello"), nil)
//	})
//	netapi.Wait(ctx) // until nothing is open
//
// The package's runnable examples (Example_server, Example_client ...) are the same flows.
//
// # Runtime
//
// A [Runtime] owns an actor system and everything made through it; the package-level
// functions use [Default]. [Runtime.Wait] returns when no server or socket is open any more,
// as Node's process exits when its loop runs dry; [Runtime.Shutdown] closes everything.
//
// # Callbacks
//
// Each On method adds a listener; several run in the order they were added. Callbacks run
// inside the actors, on event loops (Netty's model): by default every server and connection
// has a loop of its own ([WithEventLoops] shares n; [WithEventLoop] is one, Node's model),
// each server and socket lives on one, and the callbacks of everything on one loop run one
// at a time, in the order the events happened, never under a lock of this package, so any
// method may be called from them. A socket made in a callback joins that callback's loop, and an accepted socket's
// 'connection' listeners run on its loop: a proxy's two sides take turns, so Node's idioms
// (pause on a full write, resume on drain) hold. A callback that blocks holds up its loop.
//
// The socket's actor owns its state; a Socket keeps only listeners. Write is tried on the
// kernel before it returns, so its result is Node's. Registering is race-free where Node's
// single thread makes it so: an accepted socket delivers nothing before the 'connection'
// listeners have returned; data waits (one read buffer, the kernel holding the rest) until
// the socket has a data listener or Resume is called; a socket made in a callback delivers
// nothing before that callback returns. An error with no listener, and a panic, are logged
// (see [WithLogger]): nothing fails silently.
//
// A panic in a callback is contained: that socket gets an 'error' carrying a
// *supervisor.PanicError and closes; its server and the other sockets go on.
//
// # Errors
//
// Failures come as errors matched with errors.Is against the sentinels below or a
// syscall.Errno; [Code] names them as Node's err.code does. Bad input never panics: a port
// outside 0..65535 gives an 'error' wrapping [ErrInvalidPort], nil callbacks are ignored, and
// calls on a closed socket or server are harmless.
//
// # Metrics
//
// [WithMeterProvider] reports open sockets and servers, bytes read, written and queued,
// accepted connections and errors by code as OpenTelemetry instruments, read when collected.
//
// # Deadlines
//
// [ConnectOptions].Timeout bounds a connect, lookup included, with [ErrConnectTimeout]
// ("ETIMEDOUT"); [Socket.ConnectContext] bounds it by a context, with the context's error
// ("ABORT_ERR" for a cancel). Either fails the connect as Node fails one: 'error', then
// 'close' with hadError.
//
// # Differences from Node
//
// Node throws synchronously for bad arguments; netapi reports them as events. Write and End
// take bytes or strings only (no encodings). Backlog is ignored (Go uses the system's
// maximum). A socket's 'close' comes before its server's 'close'. See the README for the
// differences from IoT.js.
package netapi
