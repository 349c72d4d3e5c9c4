package netapi

import (
	"unsafe"

	"github.com/actornet/actornet/messages"
)

// lent is what a socket's data listeners borrow while they run: the data of a socket with
// ReuseReadBuffer and the lease of the read buffer it lies in. Meanwhile it is the Local of
// the socket's loop, where a Write from those listeners finds it; only that loop's goroutine
// uses it.
type lent struct {
	data  []byte
	lease *messages.Lease
}

// leaseOf returns, with a reference taken, the lease of the read buffer that data lies in
// when Write is called from a data listener of a socket with ReuseReadBuffer with (a part
// of) its data; otherwise nil. The Write then holds that buffer until data is written, so a
// proxy can forward its data slice to any socket.
func (rt *Runtime) leaseOf(data []byte) *messages.Lease {
	if !rt.lends.Load() {
		return nil
	}
	loop := rt.loops.Current()
	if loop == nil {
		return nil
	}
	l, _ := loop.Local().(*lent)
	if l == nil || l.lease == nil || !within(data, l.data) {
		return nil
	}
	l.lease.Retain()
	return l.lease
}

// within reports whether b starts inside buf's array.
func within(b, buf []byte) bool {
	if len(b) == 0 || cap(buf) == 0 {
		return false
	}
	p := uintptr(unsafe.Pointer(unsafe.SliceData(b)))
	lo := uintptr(unsafe.Pointer(unsafe.SliceData(buf)))
	return p >= lo && p < lo+uintptr(cap(buf))
}
