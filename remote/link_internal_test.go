package remote

import (
	"bytes"
	"encoding/binary"
	"log/slog"
	"net"
	"strings"
	"sync"
	"sync/atomic"
	"testing"
	"time"

	"github.com/asynkron/protoactor-go/actor"
	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"

	"github.com/actornet/actornet/messages"
	"github.com/actornet/actornet/remote/wire"
	"github.com/actornet/actornet/supervisor"
)

// linkPair is two nodes' link tables in one process (one actor system, which is all a link
// needs: it delivers to local actors by id), the second dialing the first, and a collector
// actor on the first that keeps what reaches it.
type linkPair struct {
	sys       *actor.ActorSystem
	a, b      *links
	collector *actor.PID
	got       chan any
	logs      *syncBuffer
}

func newLinkPair(t *testing.T) *linkPair {
	t.Helper()
	p := &linkPair{sys: supervisor.NewSystem(nil), got: make(chan any, 4096), logs: &syncBuffer{}}
	logger := slog.New(slog.NewTextHandler(p.logs, nil))
	p.a, p.b = newLinks(p.sys, logger), newLinks(p.sys, logger)
	require.NoError(t, p.a.listen("127.0.0.1", ""))
	p.collector = p.sys.Root.Spawn(actor.PropsFromFunc(func(ctx actor.Context) {
		switch m := ctx.Message().(type) {
		case actor.SystemMessage, actor.AutoReceiveMessage:
		default:
			p.got <- m
		}
	}))
	t.Cleanup(func() {
		p.b.stop()
		p.a.stop()
		p.sys.Shutdown()
	})
	return p
}

// far returns a's end of the link b dialed, once a took it.
func (p *linkPair) far(t *testing.T) *link {
	t.Helper()
	var far *link
	require.Eventually(t, func() bool {
		if open := p.a.openLinks(); len(open) > 0 {
			far = open[0]
		}
		return far != nil
	}, 10*time.Second, time.Millisecond)
	return far
}

// dial returns b's link to a, for who (told linked, then linkLost if it breaks).
func (p *linkPair) dial(t *testing.T, who *actor.PID, replies <-chan any) *link {
	t.Helper()
	p.b.dial(p.a.addr, who)
	m := recvAny(t, replies)
	l, ok := m.(linked)
	require.True(t, ok, "got %T, want linked", m)
	require.NoError(t, l.err)
	require.True(t, l.l.use(who))
	return l.l
}

// inbox is an actor that forwards what it gets to a channel.
func inbox(sys *actor.ActorSystem) (*actor.PID, chan any) {
	ch := make(chan any, 64)
	pid := sys.Root.Spawn(actor.PropsFromFunc(func(ctx actor.Context) {
		switch m := ctx.Message().(type) {
		case actor.SystemMessage, actor.AutoReceiveMessage:
		default:
			ch <- m
		}
	}))
	return pid, ch
}

func recvAny(t *testing.T, ch <-chan any) any {
	t.Helper()
	select {
	case m := <-ch:
		return m
	case <-time.After(10 * time.Second):
		t.Fatal("nothing received within 10s")
		return nil
	}
}

type syncBuffer struct {
	mu sync.Mutex
	b  bytes.Buffer
}

func (s *syncBuffer) Write(p []byte) (int, error) {
	s.mu.Lock()
	defer s.mu.Unlock()
	return s.b.Write(p)
}

func (s *syncBuffer) String() string {
	s.mu.Lock()
	defer s.mu.Unlock()
	return s.b.String()
}

func pattern(n, seed int) []byte {
	b := make([]byte, n)
	for i := range b {
		b[i] = byte(i*7 + seed)
	}
	return b
}

// TestLinkCarriesFramesInOrder: messages, data and writes of every size up to a chunk reach
// their target in the order they were sent, each with its exact content; a lent buffer's
// lease is released once its data was written.
func TestLinkCarriesFramesInOrder(t *testing.T) {
	p := newLinkPair(t)
	who, replies := inbox(p.sys)
	l := p.dial(t, who, replies)
	target := p.collector.Id

	const n = 600
	released := make(chan int, n)
	sizes := []int{0, 1, bigPayload - 1, bigPayload, 16 << 10, MaxChunk}
	for i := range n {
		size := sizes[i%len(sizes)]
		switch i % 3 {
		case 0:
			require.NoError(t, l.send(target, &wire.Credit{N: uint32(i)}))
		case 1:
			lease := messages.NewLease(func() { released <- i }).Lend()
			require.NoError(t, l.sendData(target, pattern(size, i), lease))
		case 2:
			require.NoError(t, l.sendWrite(target, uint64(i), pattern(size, i)))
		}
	}
	for i := range n {
		size := sizes[i%len(sizes)]
		m := recvAny(t, p.got)
		switch i % 3 {
		case 0:
			c, ok := m.(*wire.Credit)
			require.True(t, ok, "frame %d: got %T, want *wire.Credit", i, m)
			assert.Equal(t, uint32(i), c.N)
		case 1:
			d, ok := m.(linkData)
			require.True(t, ok, "frame %d: got %T, want linkData", i, m)
			require.True(t, bytes.Equal(pattern(size, i), d.data), "frame %d: data differs", i)
			putFrameBuffer(d.buf)
		case 2:
			w, ok := m.(linkWrite)
			require.True(t, ok, "frame %d: got %T, want linkWrite", i, m)
			assert.Equal(t, uint64(i), w.id)
			require.True(t, bytes.Equal(pattern(size, i), w.data), "frame %d: data differs", i)
			putFrameBuffer(w.buf)
		}
	}
	for range n / 3 {
		select {
		case <-released:
		case <-time.After(10 * time.Second):
			t.Fatal("a lease of data written was never released")
		}
	}
}

// TestLinkRefusesWhatDoesNotFit: a frame over the limit is refused with an error, and its
// lease released; the link goes on.
func TestLinkRefusesWhatDoesNotFit(t *testing.T) {
	p := newLinkPair(t)
	who, replies := inbox(p.sys)
	l := p.dial(t, who, replies)
	released := make(chan struct{}, 1)
	lease := messages.NewLease(func() { released <- struct{}{} }).Lend()
	assert.Error(t, l.sendData(p.collector.Id, make([]byte, maxFrame), lease))
	recvAny(t, chanOf(released))
	assert.Error(t, l.send(strings.Repeat("x", 256), &wire.Pause{}))
	require.NoError(t, l.send(p.collector.Id, &wire.Resume{}))
	_, ok := recvAny(t, p.got).(*wire.Resume)
	assert.True(t, ok)
}

func chanOf(c <-chan struct{}) <-chan any {
	out := make(chan any, 1)
	go func() {
		v, ok := <-c
		if ok {
			out <- v
		}
	}()
	return out
}

// TestLinkLossTellsItsUsers: when the other node's end goes away, every relay and proxy that
// used the link gets linkLost, the leases of data not yet written are released, and a send
// fails with errLinkClosed; a dial after that makes a new link.
func TestLinkLossTellsItsUsers(t *testing.T) {
	p := newLinkPair(t)
	who1, replies1 := inbox(p.sys)
	who2, replies2 := inbox(p.sys)
	l := p.dial(t, who1, replies1)
	require.True(t, l.use(who2))

	p.far(t).close()

	for _, ch := range []chan any{replies1, replies2} {
		lost, ok := recvAny(t, ch).(linkLost)
		require.True(t, ok)
		assert.Same(t, l, lost.l)
	}
	released := make(chan struct{}, 1)
	err := l.sendData(p.collector.Id, make([]byte, MaxChunk), messages.NewLease(func() { released <- struct{}{} }).Lend())
	assert.ErrorIs(t, err, errLinkClosed)
	recvAny(t, chanOf(released))

	again := p.dial(t, who1, replies1)
	assert.NotSame(t, l, again, "a broken link is dialed again")
	require.NoError(t, again.send(p.collector.Id, &wire.Pause{}))
	_, ok := recvAny(t, p.got).(*wire.Pause)
	assert.True(t, ok)
}

// TestLinkLeasesReleasedAtClose: data queued behind a peer that does not read is never
// written; when the link closes, its leases are all released (the lent buffers of sockets
// being destroyed come back).
func TestLinkLeasesReleasedAtClose(t *testing.T) {
	p := newLinkPair(t)
	ln, err := net.Listen("tcp", "127.0.0.1:0")
	require.NoError(t, err)
	defer ln.Close()
	accepted := make(chan net.Conn, 1)
	go func() {
		c, err := ln.Accept()
		if err == nil {
			accepted <- c
		}
	}()
	who, replies := inbox(p.sys)
	p.b.dial(ln.Addr().String(), who)
	l := recvAny(t, replies).(linked).l
	require.NotNil(t, l)
	peer := <-accepted // never read: the kernel's buffers fill, then the queue
	defer peer.Close()

	const n = 400 // 25 MiB: far more than the kernel holds
	var back atomic.Int32
	for range n {
		lease := messages.NewLease(func() { back.Add(1) }).Lend()
		require.NoError(t, l.sendData("x", make([]byte, MaxChunk), lease))
	}
	assert.Less(t, int(back.Load()), n, "all written to a peer that does not read")
	l.close()
	// The writer may hold the batch it was writing: it releases those as its write fails.
	select {
	case <-l.stopped:
	case <-time.After(10 * time.Second):
		t.Fatal("the link's goroutines did not end")
	}
	assert.Equal(t, n, int(back.Load()), "leases released")
}

// TestLinkReaderDropsWhatItCannotDecode: a frame of a type this process does not link, or of
// an unknown kind, is dropped with a log line and the frames after it arrive; a frame whose
// length is absurd closes the link, and the node goes on.
func TestLinkReaderDropsWhatItCannotDecode(t *testing.T) {
	p := newLinkPair(t)
	c, err := net.Dial("tcp", p.a.addr)
	require.NoError(t, err)
	defer c.Close()
	frame := func(kind byte, target string, body []byte) []byte {
		b := binary.BigEndian.AppendUint32(nil, uint32(2+len(target)+len(body)))
		b = append(b, kind, byte(len(target)))
		b = append(b, target...)
		return append(b, body...)
	}
	name := "no.such.Message"
	var stream []byte
	stream = append(stream, frame(frameMsg, p.collector.Id, append([]byte{byte(len(name))}, name...))...)
	stream = append(stream, frame(99, p.collector.Id, []byte("?"))...)
	stream = append(stream, frame(frameMsg, p.collector.Id, []byte{200})...) // a name longer than the frame
	good := append([]byte{byte(len("actornet.wire.Pause"))}, "actornet.wire.Pause"...)
	stream = append(stream, frame(frameMsg, p.collector.Id, good)...)
	_, err = c.Write(stream)
	require.NoError(t, err)
	m := recvAny(t, p.got)
	_, ok := m.(*wire.Pause)
	require.True(t, ok, "got %T, want the frame after the bad ones", m)
	logs := p.logs.String()
	assert.Contains(t, logs, "no.such.Message")
	assert.Contains(t, logs, "unknown kind")

	_, err = c.Write(binary.BigEndian.AppendUint32(nil, 1<<30))
	require.NoError(t, err)
	_ = c.SetReadDeadline(time.Now().Add(10 * time.Second))
	_, err = c.Read(make([]byte, 1))
	assert.Error(t, err, "the link is closed")
	assert.Contains(t, p.logs.String(), "bad frame")
}

// A write frame too short to hold its id closes the link, with a log line.
func TestLinkReaderClosesOnAShortWriteFrame(t *testing.T) {
	p := newLinkPair(t)
	c, err := net.Dial("tcp", p.a.addr)
	require.NoError(t, err)
	defer c.Close()
	b := binary.BigEndian.AppendUint32(nil, uint32(2+len(p.collector.Id)+3))
	b = append(b, frameWrite, byte(len(p.collector.Id)))
	b = append(b, p.collector.Id...)
	_, err = c.Write(append(b, 1, 2, 3))
	require.NoError(t, err)
	_ = c.SetReadDeadline(time.Now().Add(10 * time.Second))
	_, err = c.Read(make([]byte, 1))
	assert.Error(t, err, "the link is closed")
	assert.Contains(t, p.logs.String(), "without its id")
}

// TestLinkBrokenWhileDialedIsDialedAgain: a link that broke before its dial was recorded (so
// its close found nothing to forget) is not handed to later proxies: they get a new one.
func TestLinkBrokenWhileDialedIsDialedAgain(t *testing.T) {
	p := newLinkPair(t)
	who, replies := inbox(p.sys)
	l := p.dial(t, who, replies)
	l.close()
	recvAny(t, replies) // its linkLost
	p.b.mu.Lock()
	p.b.dialed[p.a.addr] = &dialing{l: l} // as if the dial recorded it after the close
	p.b.mu.Unlock()

	again := p.dial(t, who, replies)
	assert.NotSame(t, l, again)
	require.NoError(t, again.send(p.collector.Id, &wire.Pause{}))
	_, ok := recvAny(t, p.got).(*wire.Pause)
	assert.True(t, ok)
}

// TestLinkBarrierAnswerComesLast: a barrier's answer comes behind everything the other node
// had queued on the link when the barrier reached it (what a proxy relies on when its relay's
// stop overtakes the relay's last frames).
func TestLinkBarrierAnswerComesLast(t *testing.T) {
	p := newLinkPair(t)
	who, replies := inbox(p.sys)
	l := p.dial(t, who, replies)
	far := p.far(t)

	const n = 200 // queued on the far end first, some large
	for i := range n {
		require.NoError(t, far.send(p.collector.Id, &wire.Credit{N: uint32(i)}))
		if i%10 == 0 {
			require.NoError(t, far.sendWrite(p.collector.Id, uint64(i), make([]byte, MaxChunk)))
		}
	}
	require.NoError(t, l.barrier(p.collector.Id))
	credits := 0
	for {
		switch m := recvAny(t, p.got).(type) {
		case *wire.Credit:
			assert.Equal(t, uint32(credits), m.N)
			credits++
		case linkWrite:
			putFrameBuffer(m.buf)
		case barrierAck:
			assert.Same(t, l, m.l)
			assert.Equal(t, n, credits, "the answer came before what was queued")
			return
		default:
			t.Fatalf("got %T", m)
		}
	}
}
