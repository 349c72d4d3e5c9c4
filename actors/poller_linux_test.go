package actors

import (
	"net"
	"sync/atomic"
	"syscall"
	"testing"
	"time"

	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"
)

func TestPollerWakesCancelsAndCloses(t *testing.T) {
	peer, c, raw := tcpPair(t)

	var p poller
	woke := make(chan int, 1)
	wake := func(n int) func() { return func() { woke <- n } }
	quiet := func() {
		select {
		case n := <-woke:
			t.Fatalf("wake %d ran", n)
		case <-time.After(50 * time.Millisecond):
		}
	}

	// Another socket stays parked throughout, so that the instance stays open.
	_, _, otherRaw := tcpPair(t)
	var otherPk parked
	require.True(t, p.park(otherRaw, &otherPk, wake(0)))

	var pk parked
	require.True(t, p.park(raw, &pk, wake(1)))
	quiet() // nothing to read yet
	_, _ = peer.Write([]byte("x"))
	assert.Equal(t, 1, <-woke)
	// Level-triggered: the byte is still unread, so parking again wakes at once, through a
	// re-armed registration, and through a registration that does not know it exists.
	require.True(t, p.park(raw, &pk, wake(2)))
	assert.Equal(t, 2, <-woke)
	require.True(t, p.park(raw, &parked{}, wake(3)))
	assert.Equal(t, 3, <-woke)

	// Cancelled before anything is ready: the wake never runs. With nothing parked the
	// instance lingers, and a park meanwhile uses it again; then it closes.
	_, _ = c.Read(make([]byte, 1))
	p.mu.Lock()
	p.linger = time.Hour
	p.mu.Unlock()
	require.True(t, p.park(raw, &pk, wake(4)))
	assert.True(t, p.cancel(&pk))
	assert.True(t, p.cancel(&otherPk))
	assert.False(t, p.cancel(&pk), "a second cancel has nothing to take back")
	_, _ = peer.Write([]byte("y"))
	quiet()
	_, _ = c.Read(make([]byte, 1))
	p.mu.Lock()
	gen, open := p.gen, p.ep != nil
	p.linger = 10 * time.Millisecond
	p.mu.Unlock()
	assert.True(t, open, "the instance lingers with nothing parked")
	require.True(t, p.park(raw, &pk, wake(5)))
	p.mu.Lock()
	assert.Equal(t, gen, p.gen, "a park within the linger uses the same instance")
	p.mu.Unlock()
	assert.True(t, p.cancel(&pk))
	closed := func() bool { p.mu.Lock(); defer p.mu.Unlock(); return p.ep == nil }
	assert.Eventually(t, closed, 10*time.Second, 5*time.Millisecond, "closed after the linger")

	// A closed descriptor cannot be parked.
	require.NoError(t, c.Close())
	assert.False(t, p.park(raw, &pk, wake(6)))
	assert.Eventually(t, closed, 10*time.Second, 5*time.Millisecond)
}

func TestPollerReportsHangUp(t *testing.T) {
	peer, _, raw := tcpPair(t)

	var p poller
	woke := make(chan struct{})
	var pk parked
	require.True(t, p.park(raw, &pk, func() { close(woke) }))
	require.NoError(t, peer.SetLinger(0))
	require.NoError(t, peer.Close()) // a reset: the reader must wake to see it
	select {
	case <-woke:
	case <-time.After(10 * time.Second):
		t.Fatal("no wake on the peer's reset")
	}
	var errno error
	_ = raw.Read(func(fd uintptr) bool { _, errno = syscall.Read(int(fd), make([]byte, 1)); return true })
	assert.Equal(t, syscall.ECONNRESET, errno)
}

// tcpPair returns a connected pair on loopback and the accepted side's descriptor; both ends
// are closed when the test ends.
func tcpPair(t *testing.T) (peer, accepted *net.TCPConn, raw syscall.RawConn) {
	t.Helper()
	ln, err := net.Listen("tcp", "127.0.0.1:0")
	require.NoError(t, err)
	defer ln.Close()
	d, err := net.Dial("tcp", ln.Addr().String())
	require.NoError(t, err)
	c, err := ln.Accept()
	require.NoError(t, err)
	peer, accepted = d.(*net.TCPConn), c.(*net.TCPConn)
	t.Cleanup(func() { _ = peer.Close(); _ = accepted.Close() })
	raw, err = accepted.SyscallConn()
	require.NoError(t, err)
	return peer, accepted, raw
}

// A burst wakes at most maxWaking readers at once; each that reports woken lets the next
// queued one start, and every wake runs in the end.
func TestPollerBoundsWokenReaders(t *testing.T) {
	const n = 3 * maxWaking
	var p poller
	var running, most, ran atomic.Int32
	release := make(chan struct{})
	all := make(chan struct{})
	wake := func() {
		now := running.Add(1)
		for m := most.Load(); now > m && !most.CompareAndSwap(m, now); m = most.Load() {
		}
		<-release
		running.Add(-1)
		p.woken() // before the last one says all ran: the test then checks waking
		if ran.Add(1) == n {
			close(all)
		}
	}
	pks := make([]parked, n)
	for i := range n {
		peer, _, raw := tcpPair(t)
		require.True(t, p.park(raw, &pks[i], wake))
		_, err := peer.Write([]byte("x"))
		require.NoError(t, err)
	}
	assert.Eventually(t, func() bool { return running.Load() == maxWaking }, 10*time.Second, time.Millisecond)
	time.Sleep(50 * time.Millisecond) // the others are ready too: none of them may start
	assert.Equal(t, int32(maxWaking), most.Load(), "woken readers running at once")
	close(release)
	select {
	case <-all:
	case <-time.After(10 * time.Second):
		t.Fatalf("%d of %d wakes ran", ran.Load(), n)
	}
	assert.LessOrEqual(t, most.Load(), int32(maxWaking))
	p.mu.Lock()
	defer p.mu.Unlock()
	assert.Zero(t, p.waking, "every woken reader reported")
	for i := range pks {
		delete(p.tasks, pks[i].id)
	}
	p.closeIfIdle()
}

// peekReadable tells a descriptor with nothing to read from one with data or its peer's end,
// and reads nothing.
func TestPeekReadable(t *testing.T) {
	ln, err := net.Listen("tcp", "127.0.0.1:0")
	require.NoError(t, err)
	defer ln.Close()
	c, err := net.Dial("tcp", ln.Addr().String())
	require.NoError(t, err)
	defer c.Close()
	peer, err := ln.Accept()
	require.NoError(t, err)
	raw, err := c.(*net.TCPConn).SyscallConn()
	require.NoError(t, err)
	assert.False(t, peekReadable(raw), "nothing sent")
	_, err = peer.Write([]byte("x"))
	require.NoError(t, err)
	require.Eventually(t, func() bool { return peekReadable(raw) }, 5*time.Second, time.Millisecond)
	b := make([]byte, 2)
	n, err := c.Read(b)
	require.NoError(t, err)
	assert.Equal(t, "x", string(b[:n]), "the peek read nothing")
	assert.False(t, peekReadable(raw), "all read")
	require.NoError(t, peer.Close())
	require.Eventually(t, func() bool { return peekReadable(raw) }, 5*time.Second, time.Millisecond, "the peer's end")
}
