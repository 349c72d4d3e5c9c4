package netapi

import (
	"github.com/asynkron/protoactor-go/actor"

	"github.com/actornet/actornet/actors"
	"github.com/actornet/actornet/messages"
)

// handle is the socket actor's Handler: it runs inside the actor, on the socket's loop, in
// event order, and runs the event's listeners, never holding mu while a listener runs. A
// panic in a listener reaches the actor, which closes the socket with it.
func (s *Socket) handle(ev any) {
	switch e := ev.(type) {
	case *messages.DataEvent:
		s.onData(e)
	case *actors.Nudge:
		s.flush()
	case *messages.ConnectEvent:
		s.mu.Lock()
		s.state, s.local, s.remote = socketOpen, e.Local, e.Remote
		fns := s.ls.connect.take()
		s.mu.Unlock()
		run(fns)
	case *messages.LookupEvent:
		s.mu.Lock()
		fns := s.ls.lookup.take()
		s.mu.Unlock()
		for _, fn := range fns {
			fn(e.Err, e.Address, e.Family)
		}
	case *messages.WrittenEvent:
		s.mu.Lock()
		tok, _ := e.Token.(uint64)
		cb := s.writeCbs[tok]
		delete(s.writeCbs, tok)
		s.mu.Unlock()
		if cb != nil {
			cb(e.Err)
		}
	case *messages.DrainEvent:
		s.onDrain()
	case *messages.EndEvent:
		s.mu.Lock()
		if len(s.buffered) > 0 || s.flow == flowOff {
			s.endPending = true // after the data, when someone consumes it
			s.mu.Unlock()
			return
		}
		s.mu.Unlock()
		s.emitEnd()
	case *messages.FinishEvent:
		s.mu.Lock()
		fns := append(s.endCbs, s.ls.finish.take()...)
		s.endCbs = nil
		s.mu.Unlock()
		run(fns)
	case *messages.TimeoutEvent:
		s.mu.Lock()
		fns := s.ls.timeout.take()
		s.mu.Unlock()
		run(fns)
	case *messages.ErrorEvent:
		s.mu.Lock()
		fns := s.ls.err.take()
		if len(fns) == 0 {
			s.pendingErr = e.Err // for the first error listener to come
		}
		s.mu.Unlock()
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
	if s.flow == flowOn || s.flow == flowNull && s.ls.data.len() > 0 {
		s.flow = flowOn
		fns := s.ls.data.take()
		gate := s.gate
		s.mu.Unlock()
		for _, fn := range fns {
			fn(e.Data)
		}
		s.returnBuffer(e.Socket, 1)
		if gate.Held() { // with the event loop, handle held it until now
			gate.Release()
		}
		return
	}
	// No one consumes data yet: keep it, and read nothing more until someone does. The gate
	// takes effect before the socket's next read, so this is the only read buffer held.
	s.buffered = append(s.buffered, e.Data)
	s.gate.Hold()
	s.mu.Unlock()
}

// flush delivers what the adapter holds once the socket flows, then a held 'end'.
func (s *Socket) flush() {
	s.mu.Lock()
	if s.flow != flowOn {
		s.mu.Unlock()
		return
	}
	held := s.buffered
	s.buffered = nil
	fns := s.ls.data.take()
	end := s.endPending
	s.endPending = false
	gate, pid := s.gate, s.pid
	s.mu.Unlock()
	for _, data := range held {
		for _, fn := range fns {
			fn(data)
		}
	}
	s.returnBuffer(pid, len(held))
	if gate != nil {
		gate.Release()
	}
	if end {
		s.emitEnd()
	}
}

// returnBuffer gives a lent read buffer back once n slices of data were delivered (see
// ReuseReadBuffer). It is sent after the listeners' Writes, so the socket handles them first.
func (s *Socket) returnBuffer(pid *actor.PID, n int) {
	if s.reuse && n > 0 {
		s.send(pid, returnBuffer)
	}
}

var returnBuffer = &messages.ReturnBuffer{}

// emitEnd runs the 'end' listeners, then ends our side unless half-open is allowed, so that
// what the listeners wrote goes out before the FIN.
func (s *Socket) emitEnd() {
	s.mu.Lock()
	fns := s.ls.end.take()
	s.mu.Unlock()
	run(fns)
	if !s.allowHalfOpen {
		s.End(nil, nil)
	}
}

func (s *Socket) onDrain() {
	s.mu.Lock()
	if !s.needDrain {
		s.mu.Unlock()
		return
	}
	if s.gauge.Pending() > 0 { // writes still on their way to the actor: it will tell again
		s.gauge.WantDrain()
		if s.gauge.Pending() > 0 {
			s.mu.Unlock()
			return
		}
	}
	s.needDrain = false
	fns := s.ls.drain.take()
	s.mu.Unlock()
	run(fns)
}

func (s *Socket) onClose(e *messages.CloseEvent) {
	s.mu.Lock()
	s.state = socketClosed
	s.writeCbs = map[uint64]func(error){}
	s.closed = &e.HadError
	fns := s.ls.close.take()
	s.mu.Unlock()
	for _, fn := range fns {
		fn(e.HadError)
	}
	// Only now may Wait return: what the close listeners did happens before it.
	s.mu.Lock()
	s.unrefLocked()
	if !isClosed(s.closedSig) {
		close(s.closedSig)
	}
	s.mu.Unlock()
	s.rt.trackSocket(s, false)
}
