package messages

import "sync/atomic"

// Lease is a [DataEvent]'s hold on the read buffer its Data lies in, when the socket lends its
// buffers (actors.SocketConfig.LendReads): the socket reads into that buffer again only once
// every reference was released, so a read allocates nothing and nothing is overwritten
// while somebody still uses it.
//
// The receiver of the DataEvent holds one reference. It ends it with Release once it is
// done with Data, or hands it on with a [Write] of (a part of) Data: Write.Lease then takes
// that reference over, and the writing socket releases it once the data reached the kernel
// or was dropped. To write the same data twice, Retain first. Each reference is released
// exactly once. A Lease is safe for concurrent use; the nil Lease does nothing.
type Lease struct {
	refs atomic.Int32
	back func()
}

// NewLease makes a lease with no reference: [Lease.Lend] hands it out. back runs, on the
// goroutine that released it, each time its last reference is released.
func NewLease(back func()) *Lease { return &Lease{back: back} }

// Lend starts a new loan with one reference. Only the lender calls it, and only on a lease
// whose references were all released.
func (l *Lease) Lend() *Lease {
	l.refs.Store(1)
	return l
}

// Retain adds a reference.
func (l *Lease) Retain() {
	if l != nil {
		l.refs.Add(1)
	}
}

// Release ends a reference; the last one gives the buffer back to its socket.
func (l *Lease) Release() {
	if l == nil {
		return
	}
	switch n := l.refs.Add(-1); {
	case n == 0:
		l.back()
	case n < 0:
		panic("messages: Lease released more often than it was held")
	}
}
