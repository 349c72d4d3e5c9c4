// Package actors implements actornet's socket and server actors on protoactor-go: each TCP
// connection and each listening server is an actor, driven only by the commands of package
// messages and reporting what happens to it as events sent to its owner.
//
//	sys := supervisor.NewSystem(nil)
//	tree := supervisor.NewTree(sys, nil)
//	srv, _ := actors.SpawnServer(tree, actors.ServerConfig{Owner: me})
//	sys.Root.Send(srv, &messages.Listen{Port: 7000, Host: "127.0.0.1"})
//	// me receives *messages.ListeningEvent, then a *messages.ConnectionEvent per client and
//	// that client's *messages.DataEvent ... *messages.CloseEvent.
//
// # Sockets
//
// A socket actor ([SpawnSocket], or accepted by a server) follows Node's net.Socket:
//
//   - Connect resolves a host name (LookupEvent), dials (ConnectEvent, or ErrorEvent and
//     CloseEvent{HadError: true}); writes sent before are queued and go out once connected.
//   - Every read becomes a DataEvent whose Data the owner owns, or, with
//     SocketConfig.LendReads, borrows until it sends ReturnBuffer (a read then allocates
//     nothing). Pause stops reading from the kernel, so the peer is held back by TCP itself:
//     a paused socket keeps at most one read buffer. The peer's FIN gives EndEvent after all
//     data.
//   - A socket that has nothing to read holds no goroutine and no buffer: on Linux its reader
//     parks the descriptor in a shared epoll instance after a short linger, and starts again
//     when data comes.
//   - Writes never block the actor: each is tried once without blocking, and what the kernel
//     does not take goes to a flusher goroutine, one at a time, in order. DrainEvent follows
//     when a queue that passed the high-water mark is empty again (or see [WriteGauge]).
//   - End flushes, then half-closes (FinishEvent). With AllowHalfOpen false the socket ends
//     its side by itself after EndEvent. A Write after End gives ErrorEvent wrapping
//     [ErrWriteAfterEnd] and destroys the socket.
//   - Destroy drops queued writes and closes at once. CloseEvent comes exactly once, last,
//     after the descriptor is closed and every goroutine of the socket has exited.
//   - SetTimeout arms an idle timer that sends TimeoutEvent once per idle period; it never
//     closes the socket. SetKeepAlive and SetNoDelay set the real socket options.
//   - The owner is watched: when it stops, the socket is destroyed. Register moves the events
//     to another actor; [Attach] hands them to a [Handler] called inside the socket actor.
//
// A panic inside the socket actor, a Handler's included, closes that socket with an
// ErrorEvent carrying a *supervisor.PanicError; nothing else is affected.
//
// # Servers
//
// A server actor ([SpawnServer]) binds on Listen (ListeningEvent with the real address, or
// ServerErrorEvent, after which it may Listen again) and hands each connection to a new socket
// actor among its children (ConnectionEvent). Its listener is a child of its own, restarted
// with backoff within a [supervisor.Budget] when it fails, while accepted sockets go on.
// Running out of descriptors does not stop it: it backs off and accepts again. Close refuses
// new connections at once; ServerCloseEvent follows the close of its last socket.
//
// # Errors
//
// Failures are *net.OpError values naming the operation and the addresses, wrapping either a
// syscall.Errno (ECONNREFUSED, EADDRINUSE, ECONNRESET ...) or one of the sentinels below; use
// errors.Is.
package actors
