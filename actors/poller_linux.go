package actors

import (
	"os"
	"sync"
	"syscall"
	"time"
)

// idleReaders parks the readers of idle sockets: a reader that found nothing to read for a
// while hands its descriptor to this epoll instance and exits, so that an idle connection
// holds no goroutine, no stack and no buffer. When the descriptor becomes readable (or is hung
// up), the reader starts again on a new goroutine.
var idleReaders poller

// canPark tells that idle readers can be parked on this system.
const canPark = true

// poller is one epoll instance, level-triggered and one-shot per descriptor, shared by every
// socket of the process. It is itself waited on through Go's netpoller (an epoll descriptor
// is readable while it has events), so it ties up no thread. It runs only while it has
// parked readers, and for pollerLinger after the last one left: a park meanwhile keeps it, so
// that readers coming and going (connection churn) do not make and close an instance each
// time; after that the next park opens a new one.
type poller struct {
	mu    sync.Mutex
	ep    *os.File          // nil while nothing is parked
	epfd  int               // ep's descriptor
	gen   uint64            // bumped with every new instance: registrations do not carry over
	tasks map[uint64]func() // parked readers by id: what to start when their descriptor is ready
	next  uint64
	idle  uint64 // bumped by each park and each idle spell: a close timer of an older one lapses
	// linger is how long the instance stays open with nothing parked; 0 means pollerLinger.
	linger time.Duration
	waking int          // woken readers that have not parked or started to linger yet
	queue  ring[func()] // woken readers waiting for one of those: see maxWaking
	parks  uint64       // parks made, for tests
}

// maxWaking bounds the woken readers that run at once. A burst of one message on thousands
// of idle connections wakes every one of them together; started all at once they would
// each take a goroutine and grow its stack through a read, its actor and its callback (1,700
// goroutines at once for 5,000 connections), memory that then stays with the process. A
// woken reader that reads, delivers and parks again takes microseconds, so a few dozen at a
// time keep both cores busy; one that starts to linger (a chatty connection) no longer
// counts.
const maxWaking = 64

// pollerLinger is how long the instance stays open with nothing parked.
const pollerLinger = 100 * time.Millisecond

// parked is a reader's registration with the poller.
type parked struct {
	id  uint64 // of the current park, 0 when not parked
	gen uint64 // instance the descriptor was added to
}

// park arms raw's descriptor for one readiness; wake then runs on a new goroutine unless
// cancel came first. It reports false when the descriptor could not be armed (closed, or no
// epoll): the caller waits for data itself then.
func (p *poller) park(raw syscall.RawConn, pk *parked, wake func()) bool {
	p.mu.Lock()
	defer p.mu.Unlock()
	if p.ep == nil && !p.open() {
		return false
	}
	p.idle++ // a close on its way lapses
	p.next++
	id := p.next
	ev := syscall.EpollEvent{Events: syscall.EPOLLIN | syscall.EPOLLRDHUP | syscall.EPOLLONESHOT,
		Fd: int32(uint32(id)), Pad: int32(uint32(id >> 32))}
	op := syscall.EPOLL_CTL_MOD // re-arming a one-shot registration
	if pk.gen != p.gen {
		op = syscall.EPOLL_CTL_ADD
	}
	var err error
	cerr := raw.Control(func(fd uintptr) {
		err = syscall.EpollCtl(p.epfd, op, int(fd), &ev)
		switch { // the registration is not where pk says: the other way, then
		case err == syscall.EEXIST:
			err = syscall.EpollCtl(p.epfd, syscall.EPOLL_CTL_MOD, int(fd), &ev)
		case err == syscall.ENOENT:
			err = syscall.EpollCtl(p.epfd, syscall.EPOLL_CTL_ADD, int(fd), &ev)
		}
	})
	if cerr != nil || err != nil {
		p.closeIfIdle()
		return false
	}
	pk.id, pk.gen = id, p.gen
	p.tasks[id] = wake
	p.parks++
	return true
}

// woken is called once by each reader the poller woke, when it parks again, starts to
// linger or ends: the next woken reader in the queue, if any, starts in its place.
func (p *poller) woken() {
	p.mu.Lock()
	next, ok := p.queue.pop()
	if !ok {
		p.waking--
	}
	p.mu.Unlock()
	if ok {
		workers.Go(next)
	}
}

// cancel takes a parked reader back: true means its wake will never run. The caller has
// closed the descriptor first, so that the reader cannot park again, and the close has taken
// it out of the epoll instance.
func (p *poller) cancel(pk *parked) bool {
	p.mu.Lock()
	defer p.mu.Unlock()
	if pk.id == 0 {
		return false
	}
	_, ok := p.tasks[pk.id]
	delete(p.tasks, pk.id)
	pk.id = 0
	p.closeIfIdle()
	return ok
}

// open makes a new epoll instance and starts its goroutine. p.mu is held.
func (p *poller) open() bool {
	fd, err := syscall.EpollCreate1(syscall.EPOLL_CLOEXEC)
	if err != nil {
		return false
	}
	if err := syscall.SetNonblock(fd, true); err != nil {
		_ = syscall.Close(fd)
		return false
	}
	ep := os.NewFile(uintptr(fd), "epoll")
	raw, err := ep.SyscallConn()
	if err != nil {
		_ = ep.Close()
		return false
	}
	p.ep, p.epfd, p.tasks = ep, fd, map[uint64]func(){}
	p.gen++
	go p.run(ep, raw)
	return true
}

// closeIfIdle closes the instance once no reader has been parked for pollerLinger; its
// goroutine then exits. p.mu is held. The close happens off the lock: it waits for a run of
// the poller's read callback, which takes p.mu.
func (p *poller) closeIfIdle() {
	if p.ep == nil || len(p.tasks) > 0 {
		return
	}
	p.idle++
	ep, spell := p.ep, p.idle
	linger := p.linger
	if linger == 0 {
		linger = pollerLinger
	}
	time.AfterFunc(linger, func() {
		p.mu.Lock()
		if p.ep != ep || p.idle != spell || len(p.tasks) > 0 {
			p.mu.Unlock()
			return
		}
		p.ep, p.tasks = nil, nil
		p.mu.Unlock()
		_ = ep.Close()
	})
}

// run waits for events until its instance is closed, and starts the reader of each
// descriptor that is ready.
func (p *poller) run(ep *os.File, raw syscall.RawConn) {
	events := make([]syscall.EpollEvent, 64)
	var wakes []func()
	wait := func(fd uintptr) bool {
		n, err := syscall.EpollWait(int(fd), events, 0)
		if err == syscall.EINTR {
			return true // and look again
		}
		if n <= 0 {
			return false // wait until the instance is readable
		}
		p.mu.Lock()
		for _, ev := range events[:n] {
			id := uint64(uint32(ev.Fd)) | uint64(uint32(ev.Pad))<<32
			if wake, ok := p.tasks[id]; ok {
				delete(p.tasks, id)
				if p.waking < maxWaking {
					p.waking++
					wakes = append(wakes, wake)
				} else {
					p.queue.push(wake)
				}
			}
		}
		if p.ep == ep {
			p.closeIfIdle()
		}
		p.mu.Unlock()
		return true
	}
	for {
		err := raw.Read(wait)
		for i, wake := range wakes {
			workers.Go(wake)
			wakes[i] = nil
		}
		wakes = wakes[:0]
		if err != nil {
			return
		}
	}
}

// peekReadable reports whether raw's descriptor has something for a read now: data, the
// peer's end, or an error for the read to report. It reads nothing (MSG_PEEK).
func peekReadable(raw syscall.RawConn) bool {
	readable := true
	var b [1]byte
	_ = raw.Control(func(fd uintptr) {
		_, _, err := syscall.Recvfrom(int(fd), b[:], syscall.MSG_PEEK|syscall.MSG_DONTWAIT)
		readable = err != syscall.EAGAIN
	})
	return readable
}
