package actors

import "sync/atomic"

// WriteGauge counts the bytes a caller gave to Write messages and the bytes the socket has
// settled (handed to the kernel, or dropped), so that the caller can tell synchronously how
// much is still queued, as Node's write() return value and writableLength do. It is safe for
// concurrent use.
//
// When a socket is spawned with a gauge, every Write sent to it must be counted with
// [WriteGauge.Submit] first, and DrainEvent is owed exactly when the caller asked for it with
// [WriteGauge.WantDrain]: the socket sends it once nothing submitted is pending.
type WriteGauge struct {
	submitted atomic.Int64
	settled   atomic.Int64
	wantDrain atomic.Bool
}

// Submit counts n bytes about to be sent in a Write and returns the bytes now pending.
func (g *WriteGauge) Submit(n int) int64 {
	return g.submitted.Add(int64(n)) - g.settled.Load()
}

// Pending is the number of submitted bytes not yet settled.
func (g *WriteGauge) Pending() int64 { return g.submitted.Load() - g.settled.Load() }

// Submitted is the number of bytes submitted so far.
func (g *WriteGauge) Submitted() int64 { return g.submitted.Load() }

// WantDrain asks the socket for a DrainEvent once nothing is pending. Call it before sending
// the Write that made the caller report "full".
func (g *WriteGauge) WantDrain() { g.wantDrain.Store(true) }

// settle is called by the socket only. It reports whether a DrainEvent is now owed.
func (g *WriteGauge) settle(n int) bool {
	if g.settled.Add(int64(n)) != g.submitted.Load() {
		return false
	}
	return g.wantDrain.CompareAndSwap(true, false)
}
