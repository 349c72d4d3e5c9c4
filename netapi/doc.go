// Package netapi is the IoT.js net module for Go: servers and sockets with Node's API
// (createServer, connect, listen, write, end, destroy, pause, resume, setTimeout,
// setKeepAlive and their events), each driven by an actor of package actors underneath.
//
//	srv := netapi.CreateServer(netapi.ServerOptions{}, func(s *netapi.Socket) {
//		s.OnData(func(b []byte) { s.Write(b, nil) }) // echo
//	})
//	srv.Listen(netapi.ListenOptions{Port: 7000, Host: "127.0.0.1"}, nil)
//
//	c := netapi.ConnectPort(7000, "127.0.0.1", func() { fmt.Println("connected") })
//	c.OnData(func(b []byte) { fmt.Printf("%s", b) })
//	c.WriteString("hello", nil)
//	c.End(nil, nil)
//	netapi.Wait(ctx) // until nothing is open
//
// # Runtime
//
// A [Runtime] owns an actor system and everything made through it; the package-level
// functions use [Default]. [Runtime.Wait] returns when no server or socket is open any more,
// as Node's process exits when its loop runs dry; [Runtime.Shutdown] closes everything.
//
// # Callbacks
//
// Each On method adds a listener; several run in the order they were added. A socket's or a
// server's callbacks run one at a time, in the order the events happened, never under a lock
// of this package, so any method may be called from them. By default they run inside the
// object's actor, so callbacks of different sockets may run in parallel; [WithEventLoop] runs
// every callback of the runtime on one goroutine, one at a time, Node's model.
//
// Registering is race-free, as in Node's single-threaded loop: an accepted socket delivers
// nothing before the 'connection' listeners have returned; data waits (one read buffer, the
// kernel holding the rest) until the socket has a data listener or Resume is called; an
// error that came while the socket had no error listener is handed to the first one added.
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
// # Differences from Node
//
// Node throws synchronously for bad arguments; netapi reports them as events. Write and End
// take bytes or strings only (no encodings). Backlog is ignored (Go uses the system's
// maximum). A socket's 'close' comes before its server's 'close'. See the README for the
// differences from IoT.js.
package netapi
