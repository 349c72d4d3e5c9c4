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

// listenSpec is what a server's listener binds, shared by the server and every incarnation of
// its listener child. Its lock guards only ln and closed, so that Close on the server stops
// accepting at once even while the listener restarts.
type listenSpec struct {
	network, address string // the address actually bound, port included

	mu     sync.Mutex
	ln     *net.TCPListener
	closed bool
}

// install makes ln the current listener; it reports false if the server closed meanwhile.
func (sp *listenSpec) install(ln *net.TCPListener) bool {
	sp.mu.Lock()
	defer sp.mu.Unlock()
	if sp.closed {
		return false
	}
	sp.ln = ln
	return true
}

// close stops accepting: the current listener is closed and no new one will be installed.
func (sp *listenSpec) close() {
	sp.mu.Lock()
	defer sp.mu.Unlock()
	sp.closed = true
	if sp.ln != nil {
		_ = sp.ln.Close()
	}
}

// accepted is sent by the accept loop to the server for each new connection.
type accepted struct{ conn *net.TCPConn }

// acceptError is sent by the accept loop to the server for a failure it survives (EMFILE ...).
type acceptError struct{ err error }

// acceptFailed is sent by the accept loop to its listener for a failure it cannot survive.
type acceptFailed struct{ err error }

// listener is a server's child that owns the listening socket and its accept loop. When it
// fails, the server's strategy restarts it on the same address; the server and the sockets
// it accepted are not affected.
type listener struct {
	spec    *listenSpec
	first   *net.TCPListener // bound by the server for the first incarnation only
	server  *actor.PID
	ln      *net.TCPListener
	quit    chan struct{}
	done    chan struct{}
	retries time.Duration
}

func (l *listener) Receive(ctx actor.Context) {
	switch m := ctx.Message().(type) {
	case *actor.Started:
		l.start(ctx)
	case *acceptFailed:
		// Close first, so that no connection waits in a backlog nobody accepts from; then
		// fail, and the server's strategy decides: restart with backoff, or give up.
		l.stop()
		panic(m.err)
	case *actor.Stopping, *actor.Restarting:
		l.stop()
	}
}

func (l *listener) start(ctx actor.Context) {
	ln := l.first
	l.first = nil
	if ln == nil {
		nl, err := listenTCP(l.spec.network, l.spec.address)
		if err != nil {
			panic(err)
		}
		ln = nl.(*net.TCPListener)
	}
	if !l.spec.install(ln) {
		_ = ln.Close()
		return
	}
	l.ln = ln
	l.quit, l.done = make(chan struct{}), make(chan struct{})
	go acceptLoop(ctx.ActorSystem(), ln, l.server, ctx.Self(), l.quit, l.done)
}

// stop closes the listening socket and waits for the accept loop to exit.
func (l *listener) stop() {
	if l.ln == nil {
		return
	}
	close(l.quit)
	_ = l.ln.Close()
	<-l.done
	l.ln = nil
}

// acceptLoop accepts until its listener closes. Running out of descriptors or memory is
// survived with a backoff, as net/http does; any other failure is the listener's.
func acceptLoop(sys *actor.ActorSystem, ln *net.TCPListener, server, self *actor.PID, quit, done chan struct{}) {
	defer close(done)
	var wait time.Duration
	for {
		c, err := ln.AcceptTCP()
		if err == nil {
			wait = 0
			sys.Root.Send(server, &accepted{conn: c})
			continue
		}
		select {
		case <-quit:
			return
		default:
		}
		if errors.Is(err, net.ErrClosed) {
			return
		}
		if !survivable(err) {
			sys.Root.Send(self, &acceptFailed{err: err})
			return
		}
		sys.Root.Send(server, &acceptError{err: err})
		wait = min(max(2*wait, 5*time.Millisecond), time.Second)
		select {
		case <-time.After(wait):
		case <-quit:
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
func listenTCP(network, address string) (net.Listener, error) {
	lc := net.ListenConfig{KeepAlive: -1}
	return lc.Listen(context.Background(), network, address)
}
