package actors

import "sync/atomic"

// ReadGate lets an adapter hold a socket's reading from where it handles events, at once and
// without a message: a socket whose gate is held reads nothing more (its reader waits, with no
// buffer), until the gate is released. netapi holds it while data waits for a listener, and,
// with its event loop, while a data event waits for its turn, so that a socket is never more
// than one read ahead of the code that consumes it. It is safe for concurrent use.
type ReadGate struct {
	held atomic.Bool
	wake chan struct{} // one slot: a release never blocks
}

// NewReadGate makes an open gate.
func NewReadGate() *ReadGate { return &ReadGate{wake: make(chan struct{}, 1)} }

// Hold stops reading before the next read.
func (g *ReadGate) Hold() { g.held.Store(true) }

// Release lets a held socket read again.
func (g *ReadGate) Release() {
	g.held.Store(false)
	select {
	case g.wake <- struct{}{}:
	default:
	}
}

// Held reports whether the gate is held.
func (g *ReadGate) Held() bool { return g != nil && g.held.Load() }
