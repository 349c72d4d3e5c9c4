package remote

import (
	"encoding/binary"
	"net"
	"strconv"
	"strings"
	"sync/atomic"
	"syscall"
	"testing"
	"time"

	"github.com/asynkron/protoactor-go/actor"
	"github.com/stretchr/testify/require"
)

// queued is how many bytes wait on l for its writer.
func (l *link) queued() int {
	l.mu.Lock()
	defer l.mu.Unlock()
	n := len(l.arena)
	for _, b := range l.bufs {
		n += len(b)
	}
	return n
}

// deafPeer listens for one connection, which it takes and never reads; it returns the
// listener's address and the connection once taken.
func deafPeer(t *testing.T) (addr string, conn <-chan net.Conn) {
	t.Helper()
	ln, err := net.Listen("tcp", "127.0.0.1:0")
	require.NoError(t, err)
	t.Cleanup(func() { ln.Close() })
	ch := make(chan net.Conn, 1)
	go func() {
		if c, err := ln.Accept(); err == nil {
			ch <- c
		}
	}()
	return ln.Addr().String(), ch
}

// A node stopping with several peers that do not read flushes its links at once, for a
// second at most in all, not a second per link one after another.
func TestStopFlushesLinksAtOnce(t *testing.T) {
	p := newLinkPair(t)
	const peers = 3
	for range peers {
		addr, accepted := deafPeer(t)
		who, replies := inbox(p.sys)
		p.b.dial(addr, who)
		l := recvAny(t, replies).(linked).l
		require.NotNil(t, l)
		peer := <-accepted
		t.Cleanup(func() { peer.Close() })
		for range 200 { // far more than the kernel holds: the writer stays blocked
			require.NoError(t, l.sendData("x", make([]byte, MaxChunk), nil))
		}
	}
	start := time.Now()
	p.b.stop()
	took := time.Since(start)
	require.Less(t, took, time.Duration(peers)*time.Second-500*time.Millisecond,
		"stopping with %d peers that do not read took %v", peers, took)
}

// A peer that sends barriers and never reads the acks has its link closed once
// maxQueuedAnswers of them wait, with a log line: the node's memory stays bounded, and its
// reader never stops reading (which would wedge two nodes that stream to each other).
func TestBarrierFloodClosesTheLink(t *testing.T) {
	p := newLinkPair(t)
	d := net.Dialer{Control: func(_, _ string, c syscall.RawConn) error {
		var serr error
		err := c.Control(func(fd uintptr) {
			serr = syscall.SetsockoptInt(int(fd), syscall.SOL_SOCKET, syscall.SO_RCVBUF, 64<<10)
		})
		if err != nil {
			return err
		}
		return serr
	}}
	c, err := d.Dial("tcp", p.a.addr)
	require.NoError(t, err)
	defer c.Close()
	far := p.far(t)
	done := make(chan struct{})
	go func() { // 64 MiB of barriers at most; never a byte read back
		defer close(done)
		id := strings.Repeat("b", 255) // each ack as long as its barrier
		one := binary.BigEndian.AppendUint32(nil, uint32(2+len(id)))
		one = append(one, frameBarrier, 0)
		one = append(one, id...)
		batch := make([]byte, 0, 1<<20)
		for len(batch)+len(one) <= cap(batch) {
			batch = append(batch, one...)
		}
		for range 64 {
			if _, err := c.Write(batch); err != nil {
				return // the node closed the link
			}
		}
	}()
	limit := (maxQueuedAnswers + 1) * (4 + 2 + 255)
	require.Eventually(t, func() bool {
		require.LessOrEqual(t, far.queued(), limit, "answers queued to a peer that does not read")
		return far.broken()
	}, 20*time.Second, time.Millisecond, "the link to a peer that asks without reading is closed")
	<-done
	require.Contains(t, p.logs.String(), "asks without reading the answers")
}

// queueWritesWithBarriers queues on l, whose mu the caller holds, n Writes of body to target with a
// barrier for answer before the first and before the middle one, as frame would.
func queueWritesWithBarriers(l *link, answer, target string, body []byte, n int) {
	b := binary.BigEndian.AppendUint32(nil, uint32(2+len(answer)))
	b = append(b, frameBarrier, 0)
	b = append(b, answer...)
	for i := range n {
		if i == 0 || i == n/2 {
			l.bufs = append(l.bufs, b)
		}
		h := binary.BigEndian.AppendUint32(nil, uint32(2+len(target)+8+len(body)))
		h = append(h, frameWrite, byte(len(target)))
		h = append(h, target...)
		h = binary.BigEndian.AppendUint64(h, uint64(i))
		l.bufs = append(l.bufs, h, body)
	}
	select {
	case l.wake <- struct{}{}:
	default:
	}
}

// lockOnceTaken locks l.mu once its writer took what was queued (and returns with it held).
func lockOnceTaken(t *testing.T, l *link) {
	t.Helper()
	deadline := time.Now().Add(10 * time.Second)
	for {
		l.mu.Lock()
		if l.writing && len(l.bufs) == 0 {
			return
		}
		l.mu.Unlock()
		require.True(t, time.Now().Before(deadline), "the writer never took its batch")
		time.Sleep(time.Millisecond) // the batch takes the writer much longer than this
	}
}

// Two healthy nodes stream to each other, and a barrier reaches each reader while its own
// node has megabytes queued behind the batch its writer is writing. A reader that stopped
// reading until its own writer took the next batch (a way to bound a barrier flood, tried and
// dropped) would wedge the link for good: each writer waits for the other node to read. Every
// Write must arrive. (helper-13's review found the wedge.)
func TestBarriersBothWaysDoNotWedge(t *testing.T) {
	p := newLinkPair(t)
	var got atomic.Int32
	sink := p.sys.Root.Spawn(actor.PropsFromFunc(func(ctx actor.Context) {
		switch ctx.Message().(type) {
		case linkWrite:
			got.Add(1)
		}
	}))
	who, replies := inbox(p.sys)
	near := p.dial(t, who, replies)
	far := p.far(t)
	body := make([]byte, MaxChunk)
	const first, more = 384, 32 // 24 MiB in each writer's hand, then 2 MiB queued behind

	for _, l := range []*link{near, far} {
		l.mu.Lock()
		queueWritesWithBarriers(l, sink.Id, sink.Id, body, first)
		l.mu.Unlock()
	}
	// Once both writers hold their batch, hold both locks: a reader that meets the barrier
	// waits here, the writers go on, and 2 MiB more is queued on each side meanwhile.
	lockOnceTaken(t, near)
	lockOnceTaken(t, far)
	for _, l := range []*link{near, far} {
		queueWritesWithBarriers(l, sink.Id, sink.Id, body, more)
	}
	near.mu.Unlock()
	far.mu.Unlock()

	want := int32(2 * (first + more))
	require.Eventually(t, func() bool { return got.Load() == want }, 20*time.Second, time.Millisecond,
		"the link wedged: a wedge is for good, so the wait only bounds the test")
}

// A node stopping while one of its dials waits for a peer that does not answer (its SYN
// dropped: here a listener whose accept queue is full) stops at once: the dial is cancelled,
// not waited for up to its 5 s timeout. (helper-13's review found it.)
func TestStopCancelsADialUnderWay(t *testing.T) {
	p := newLinkPair(t)
	fd, err := syscall.Socket(syscall.AF_INET, syscall.SOCK_STREAM, 0)
	require.NoError(t, err)
	closed := false
	closeFd := func() {
		if !closed {
			closed = true
			_ = syscall.Close(fd)
		}
	}
	defer closeFd()
	require.NoError(t, syscall.Bind(fd, &syscall.SockaddrInet4{Addr: [4]byte{127, 0, 0, 1}}))
	require.NoError(t, syscall.Listen(fd, 0)) // one connection fills the accept queue
	sa, err := syscall.Getsockname(fd)
	require.NoError(t, err)
	addr := net.JoinHostPort("127.0.0.1", strconv.Itoa(sa.(*syscall.SockaddrInet4).Port))
	c, err := net.Dial("tcp", addr)
	require.NoError(t, err)
	defer c.Close()

	who, _ := inbox(p.sys)
	p.b.dial(addr, who) // its SYN is dropped: the dial waits
	stopped := make(chan time.Duration, 1)
	start := time.Now()
	go func() { p.b.stop(); stopped <- time.Since(start) }()
	select {
	case <-stopped:
	case <-time.After(1500 * time.Millisecond):
		closeFd() // the dial's next SYN meets a closed port, and the test ends
		t.Fatalf("stop waited %v for a dial it could have cancelled", <-stopped)
	}
}
