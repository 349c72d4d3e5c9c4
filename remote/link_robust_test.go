package remote

import (
	"encoding/binary"
	"net"
	"strings"
	"syscall"
	"testing"
	"time"

	"github.com/stretchr/testify/require"
)

// queued is how many bytes wait on l for its writer.
func (l *link) queued() int {
	l.mu.Lock()
	defer l.mu.Unlock()
	return l.queuedLocked()
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

// A peer that sends barriers and never reads the acks meets TCP's backpressure: the node
// stops reading it once a megabyte of answers waits, instead of queueing them without end.
func TestBarrierFloodMeetsBackpressure(t *testing.T) {
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
	far := p.far(t)
	sent := make(chan int64, 1)
	go func() { // 24 MiB of barriers, if the node takes them; never a byte read back
		id := strings.Repeat("b", 255) // each ack as long as its barrier
		one := binary.BigEndian.AppendUint32(nil, uint32(2+len(id)))
		one = append(one, frameBarrier, 0)
		one = append(one, id...)
		batch := make([]byte, 0, 1<<20)
		for len(batch)+len(one) <= cap(batch) {
			batch = append(batch, one...)
		}
		var n int64
		for range 24 {
			m, err := c.Write(batch)
			n += int64(m)
			if err != nil {
				break
			}
		}
		sent <- n
	}()
	// The node's queue stays bounded while the peer goes on sending, until its writes block.
	deadline := time.Now().Add(3 * time.Second)
	for time.Now().Before(deadline) {
		require.LessOrEqual(t, far.queued(), maxAnswerBacklog+(1<<10), "answers queued to a peer that does not read")
		time.Sleep(time.Millisecond)
	}
	c.Close() // the sender's blocked write fails
	require.Less(t, <-sent, int64(24<<20), "the node read every barrier without answering them")
}
