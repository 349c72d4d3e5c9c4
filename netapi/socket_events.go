package netapi

import (
	"errors"
	"net"

	"github.com/actornet/actornet/messages"
)

// handle is the socket actor's Handler: it runs inside the actor, on the socket's loop, in
// event order, and runs the event's listeners, never holding mu while a listener runs. A
// panic in a listener reaches the actor, which closes the socket with it.
func (s *Socket) handle(ev any) {
	switch e := ev.(type) {
	case *messages.DataEvent:
		s.onData(e)
	case *messages.ConnectEvent:
		s.mu.Lock()
		s.state, s.local, s.remote = socketOpen, e.Local, e.Remote
		s.stopConnectLocked()
		var fns []func()
		if m := s.ls.more; m != nil {
			fns = m.connect.take()
		}
		s.mu.Unlock()
		run(fns)
	case *messages.LookupEvent:
		s.mu.Lock()
		var fns []func(error, string, string)
		if m := s.ls.more; m != nil {
			fns = m.lookup.take()
		}
		s.mu.Unlock()
		for _, fn := range fns {
			fn(e.Err, e.Address, e.Family)
		}
	case *messages.WrittenEvent:
		s.mu.Lock()
		tok, _ := e.Token.(uint64)
		cb := s.writeCbs[tok]
		delete(s.writeCbs, tok)
		if cb != nil && errors.Is(e.Err, ErrClosedBeforeConnection) {
			// Node calls these from a 'close' listener added by the write: after 'close'.
			late, err := cb, e.Err
			s.afterClose = append(s.afterClose, func() { late(err) })
			cb = nil
		}
		s.mu.Unlock()
		if cb != nil {
			cb(e.Err)
		}
	case *messages.DrainEvent:
		s.onDrain()
	case *messages.EndEvent:
		s.mu.Lock()
		var fns []func()
		if m := s.ls.more; m != nil {
			fns = m.end.take()
		}
		s.mu.Unlock()
		run(fns) // then the actor ends our side too, unless AllowHalfOpen
	case *messages.FinishEvent:
		s.mu.Lock()
		ends := s.endCbs
		s.endCbs = nil
		var fns []func()
		if m := s.ls.more; m != nil {
			fns = m.finish.take()
		}
		s.mu.Unlock()
		for _, fn := range ends {
			fn(nil)
		}
		run(fns)
	case *messages.TimeoutEvent:
		s.mu.Lock()
		var fns []func()
		if m := s.ls.more; m != nil {
			fns = m.timeout.take()
		}
		s.mu.Unlock()
		run(fns)
	case *messages.SecureConnectEvent:
		s.onSecure(e)
	case *messages.ErrorEvent:
		if s.handshakeFailed(e.Err) {
			return
		}
		s.mu.Lock()
		fns := s.ls.err.take()
		remote := s.remote
		s.mu.Unlock()
		s.rt.metrics.countError(e.Err)
		if len(fns) == 0 {
			s.rt.unheard("socket error", e.Err, "remote", remote.String())
		}
		for _, fn := range fns {
			fn(e.Err)
		}
	case *messages.CloseEvent:
		s.onClose(e)
	}
}

func (s *Socket) onData(e *messages.DataEvent) {
	s.bytesRead.Add(int64(len(e.Data)))
	s.mu.Lock()
	// The socket's events are handled one at a time: one slice serves every 'data' event.
	s.dataFns = s.ls.data.takeInto(s.dataFns[:0])
	fns := s.dataFns
	s.mu.Unlock()
	if e.Lease == nil {
		for _, fn := range fns {
			fn(e.Data)
		}
		return
	}
	// The data lies in a lent buffer: while the listeners run, a Write of it from them (to any
	// socket) takes a reference, so the buffer is read into again only once all such writes
	// are done with it.
	l := &s.lent
	l.data, l.lease = e.Data, e.Lease
	prev := s.loop.Local()
	s.loop.SetLocal(l)
	defer func() {
		s.loop.SetLocal(prev)
		l.data, l.lease = nil, nil
		e.Lease.Release()
	}()
	for _, fn := range fns {
		fn(e.Data)
	}
}

func (s *Socket) onDrain() {
	s.mu.Lock()
	fns := s.ls.drain.take()
	s.mu.Unlock()
	run(fns)
}

func (s *Socket) onClose(e *messages.CloseEvent) {
	s.mu.Lock()
	s.state = socketClosed
	s.stopConnectLocked()
	s.writeCbs = nil
	s.closed = &e.HadError
	ends := s.endCbs // End was called, and the socket closed before its 'finish'
	s.endCbs = nil
	if srv := s.srv; srv != nil { // first: the server may count again, for its 'close'
		busy := 0
		if s.active {
			busy = -1
		}
		s.srv = nil // a close listener that connects again makes it a client
		srv.connChanged(-1, busy)
	}
	fns := s.ls.close.take()
	after := s.afterClose
	s.afterClose = nil
	pid := s.pid
	s.mu.Unlock()
	for _, fn := range ends {
		fn(&net.OpError{Op: "end", Net: "tcp", Err: ErrSocketClosed})
	}
	for _, fn := range fns {
		fn(e.HadError)
	}
	run(after)
	// Only now may Wait return: what the close listeners did happens before it. A close
	// listener that connected the socket again keeps it counted.
	s.rt.metrics.socketClosed(s) // before Wait may return: its counts are in the totals
	s.mu.Lock()
	if s.pid != pid {
		s.mu.Unlock()
		return
	}
	s.rt.trackSocket(s, false) // first: once Wait returns, Shutdown has nothing to close here
	s.active = false
	s.unrefLocked()
	s.closeRanLocked()
	s.mu.Unlock()
}
