package actors

import (
	"context"
	"errors"
	"net"
	"sync"
	"syscall"
	"time"

	"github.com/asynkron/protoactor-go/actor"
)

// accepted is sent by the accept loop to its server for each new connection; the server
// takes it from its acceptor (acceptor.take) first.
type accepted struct {
	conn *net.TCPConn
	from *acceptor
}

// acceptError is sent by the accept loop to its server for a failure it survives (EMFILE ...).
type acceptError struct{ err error }

// acceptFailed is the accept loop's last message when it met a failure it cannot survive: its
// listener is unusable. gen tells which listener it was.
type acceptFailed struct {
	err error
	gen int
}

// rebind is sent by a server to itself, after the backoff, to bind its address again.
type rebind struct{ gen int }

// acceptor is a server's listening socket and its accept loop, one goroutine that accepts until
// the listener closes. Running out of descriptors or memory is survived with a backoff, as
// net/http's Serve does; any other failure ends the loop and is the server's to handle (see
// server.listenerFailed): no panic carries it.
type acceptor struct {
	ln   *net.TCPListener
	quit chan struct{}
	done chan struct{} // closed when the loop has exited

	mu sync.Mutex
	// handed are the connections sent to the server and not taken yet: a server that stops
	// with accepted messages in its mailbox (protoactor drops them) has them closed by stop.
	handed  map[*net.TCPConn]struct{} // guarded by mu
	stopped bool                      // guarded by mu
}

func startAcceptor(sys *actor.ActorSystem, server *actor.PID, ln *net.TCPListener, gen int) *acceptor {
	a := &acceptor{ln: ln, quit: make(chan struct{}), done: make(chan struct{}),
		handed: map[*net.TCPConn]struct{}{}}
	go a.loop(sys, server, gen)
	return a
}

// stop closes the listening socket, waits for the accept loop to exit, and closes the
// connections it handed over that the server has not taken; it returns how many.
func (a *acceptor) stop() int {
	close(a.quit)
	_ = a.ln.Close()
	<-a.done
	a.mu.Lock()
	defer a.mu.Unlock()
	a.stopped = true
	for c := range a.handed {
		_ = c.Close()
	}
	n := len(a.handed)
	a.handed = nil
	return n
}

// take hands c over to the server, unless stop closed it already.
func (a *acceptor) take(c *net.TCPConn) bool {
	a.mu.Lock()
	defer a.mu.Unlock()
	if a.stopped {
		return false
	}
	delete(a.handed, c)
	return true
}

func (a *acceptor) loop(sys *actor.ActorSystem, server *actor.PID, gen int) {
	defer close(a.done)
	var wait time.Duration
	for {
		c, err := a.ln.AcceptTCP()
		if err == nil {
			wait = 0
			a.mu.Lock()
			a.handed[c] = struct{}{}
			a.mu.Unlock()
			sys.Root.Send(server, &accepted{conn: c, from: a})
			continue
		}
		select {
		case <-a.quit:
			return
		default:
		}
		if errors.Is(err, net.ErrClosed) {
			return
		}
		if !survivable(err) {
			sys.Root.Send(server, &acceptFailed{err: err, gen: gen})
			return
		}
		sys.Root.Send(server, &acceptError{err: err})
		wait = min(max(2*wait, 5*time.Millisecond), time.Second)
		select {
		case <-time.After(wait):
		case <-a.quit:
			return
		}
	}
}

func survivable(err error) bool {
	for _, e := range []error{syscall.EMFILE, syscall.ENFILE, syscall.ENOBUFS, syscall.ENOMEM,
		syscall.ECONNABORTED, syscall.EINTR, syscall.EAGAIN, syscall.EPROTO, syscall.EPERM} {
		if errors.Is(err, e) {
			return true
		}
	}
	return false
}

// listenTCP binds address with keepalive off on accepted connections until SetKeepAlive, as
// in Node (Go's default would switch it on).
func listenTCP(address string) (*net.TCPListener, error) {
	lc := net.ListenConfig{KeepAlive: -1}
	ln, err := lc.Listen(context.Background(), "tcp", address)
	if err != nil {
		return nil, err
	}
	return ln.(*net.TCPListener), nil
}
