package remote

import (
	"bufio"
	"context"
	"encoding/binary"
	"errors"
	"fmt"
	"io"
	"log/slog"
	"net"
	"runtime/debug"
	"sync"
	"time"

	"github.com/asynkron/protoactor-go/actor"
	"google.golang.org/protobuf/proto"
	"google.golang.org/protobuf/reflect/protoreflect"
	"google.golang.org/protobuf/reflect/protoregistry"

	"github.com/actornet/actornet/messages"
)

// A link is a TCP connection between two nodes that carries everything a socket's relay and
// its proxy say to each other once the socket is set up: events, commands and their data, in
// the order they were sent. It is the data plane beside protoactor's remote, which keeps the
// control plane: SpawnSocket, SpawnServer and their Attached, servers' traffic, and the
// watches that tell a node's loss.
//
// Why: through protoactor's remote a chunk of data is copied about six times each way
// (protobuf into the envelope, the envelope into a batch, the batch into gRPC's frame and
// HTTP/2's, and back), and the two nodes' CPU, not the network, bounds a stream. On a link
// a DataEvent's or a Write's data goes out with one writev from the buffer it was read into
// (a lent read buffer, released once written), and comes in with one read into a pooled
// buffer, which goes back to the pool when its lease is released: a stream allocates
// nothing per chunk.
//
// A frame is: a uint32 length (of what follows), a kind byte, the target actor's id on the
// receiving node (a length byte and the id), and the body:
//
//	frameData   a DataEvent's data
//	frameWrite  a Write's id (a uint64, settled by the WrittenEvent with that token), then its data
//	frameMsg    a length byte and a protobuf message's full name, then the message
//	frameBind   the sender's actor id: the first frame a proxy sends its relay
//	frameBarrier the id to answer: the other node answers with a frameAck to it, behind
//	            everything it had queued on the link by then
//	frameAck    nothing: the answer to a frameBarrier
//
// A node with a socket service listens for links; a node whose proxies reach it dials one,
// shared by all of them, when the first proxy learns the address (wire.Attached.Link). When
// a link breaks, every relay and proxy that used it is told (linkLost): a relay stops, which
// destroys its socket, and a proxy tells its owner ErrNodeLost, as at the loss of the node.
type link struct {
	t    *links
	conn net.Conn

	mu      sync.Mutex
	bufs    net.Buffers       // frames waiting for the writer, in order
	arena   []byte            // the tail of the last small-bytes buffer in bufs, appended to in place
	leases  []*messages.Lease // of the data in bufs, released once it is written
	wake    chan struct{}
	writing bool // the writer has a batch in hand
	answers int  // barrier acks queued since the writer last took a batch
	closed  bool
	users   map[string]*actor.PID // local relays and proxies told when the link breaks
	stopped chan struct{}         // closed when both goroutines have ended
}

// Frame kinds.
const (
	frameData byte = iota + 1
	frameWrite
	frameMsg
	frameBind
	frameBarrier
	frameAck
)

// maxFrame bounds a frame: a chunk of data and room for its header; a peer that sends more
// is not a node of ours, and its link is closed.
const maxFrame = MaxChunk + 4<<10

// bigPayload is the size from which data is handed to writev as the caller's slice rather
// than copied next to its header.
const bigPayload = 2 << 10

// errLinkClosed is what a send on a broken or closed link returns.
var errLinkClosed = errors.New("remote: link closed")

// links is a node's links: the listener other nodes dial, and the links dialed or accepted.
type links struct {
	sys    *actor.ActorSystem
	logger *slog.Logger
	ln     net.Listener // nil on a node without a socket service
	addr   string       // ln's address as other nodes reach it

	mu     sync.Mutex
	dialed map[string]*dialing // by address
	open   map[*link]struct{}
	closed bool
	// stopping is cancelled by stop: the accept loop's pause and the dials under way end.
	stopping context.Context
	halt     context.CancelFunc
	wg       sync.WaitGroup
}

// dialing is a link to an address, being dialed or dialed: who waits for it, and the link.
type dialing struct {
	l       *link
	waiters []*actor.PID
}

// linked is what a relay or proxy that asked for a link gets: the link, or why there is none.
type linked struct {
	l   *link
	err error
}

// linkLost tells a relay or proxy that its link broke.
type linkLost struct{ l *link }

// linkData is a DataEvent that came over a link, and linkWrite a Write: their data lies in
// buf, a pooled buffer, for whoever takes the data to give back (putFrameBuffer) once done.
type linkData struct {
	data []byte
	buf  *[]byte
}

type linkWrite struct {
	id   uint64
	data []byte
	buf  *[]byte
}

// frameBuffers are the buffers a link reads data into.
var frameBuffers = sync.Pool{New: func() any {
	b := make([]byte, maxFrame)
	return &b
}}

func putFrameBuffer(b *[]byte) { frameBuffers.Put(b) }

// barrierAck is what the sender of a barrier gets: everything the other node had queued on
// the link when the barrier reached it came before.
type barrierAck struct{ l *link }

// bound is what a relay gets when its proxy's first frame arrives on a link: the link to
// answer on, and the proxy's id on the other node.
type bound struct {
	l    *link
	peer string
}

func newLinks(sys *actor.ActorSystem, logger *slog.Logger) *links {
	t := &links{sys: sys, logger: logger, dialed: map[string]*dialing{}, open: map[*link]struct{}{}}
	t.stopping, t.halt = context.WithCancel(context.Background())
	return t
}

// listen makes the node reachable for links on host (an ephemeral port); advertised, when
// not empty, is the host other nodes reach it at.
func (t *links) listen(host, advertised string) error {
	ln, err := net.Listen("tcp", net.JoinHostPort(host, "0"))
	if err != nil {
		return fmt.Errorf("remote: listen for links: %w", err)
	}
	t.ln, t.addr = ln, ln.Addr().String()
	if advertised != "" {
		if h, _, err := net.SplitHostPort(advertised); err == nil {
			advertised = h
		}
		_, port, _ := net.SplitHostPort(t.addr)
		t.addr = net.JoinHostPort(advertised, port)
	}
	t.wg.Add(1)
	go t.accept()
	return nil
}

// accept takes the links other nodes dial until the listener is closed. A failed accept (out
// of descriptors or memory, a connection aborted before it was taken) is logged and tried
// again after a pause that doubles up to a second, as net/http's Serve does: the node goes
// on taking links once the cause has passed.
func (t *links) accept() {
	defer t.wg.Done()
	var wait time.Duration
	for {
		conn, err := t.ln.Accept()
		if err != nil {
			if errors.Is(err, net.ErrClosed) {
				return
			}
			wait = min(max(2*wait, 5*time.Millisecond), time.Second)
			t.logger.Error("remote: accepting a link failed; trying again", "err", err, "in", wait)
			select {
			case <-time.After(wait):
			case <-t.stopping.Done(): // the node stops
				return
			}
			continue
		}
		wait = 0
		if t.start(conn) == nil {
			conn.Close()
		}
	}
}

// start makes a link of conn and starts its reader and writer; nil when the node stopped.
func (t *links) start(conn net.Conn) *link {
	if tc, ok := conn.(*net.TCPConn); ok {
		_ = tc.SetNoDelay(true)
	}
	l := &link{t: t, conn: conn, wake: make(chan struct{}, 1), users: map[string]*actor.PID{},
		stopped: make(chan struct{})}
	t.mu.Lock()
	defer t.mu.Unlock()
	if t.closed {
		return nil
	}
	t.open[l] = struct{}{}
	t.wg.Add(1)
	go func() {
		defer t.wg.Done()
		done := make(chan struct{})
		go func() { l.write(); close(done) }()
		l.read()
		l.close()
		<-done
		close(l.stopped)
	}()
	return l
}

// dial asks for the link to addr for who, which gets a linked message: at once when the link
// is up, or once it is dialed.
func (t *links) dial(addr string, who *actor.PID) {
	t.mu.Lock()
	if t.closed {
		t.mu.Unlock()
		t.sys.Root.Send(who, linked{err: errLinkClosed})
		return
	}
	d := t.dialed[addr]
	if d != nil && d.l != nil && d.l.broken() { // broke as it was dialed: dial again
		delete(t.dialed, addr)
		d = nil
	}
	switch {
	case d != nil && d.l != nil:
		t.mu.Unlock()
		t.sys.Root.Send(who, linked{l: d.l})
		return
	case d != nil:
		d.waiters = append(d.waiters, who)
		t.mu.Unlock()
		return
	}
	d = &dialing{waiters: []*actor.PID{who}}
	t.dialed[addr] = d
	t.wg.Add(1)
	t.mu.Unlock()
	go func() {
		defer t.wg.Done()
		var l *link
		ctx, cancel := context.WithTimeout(t.stopping, 5*time.Second) // Stop ends it at once
		conn, err := (&net.Dialer{}).DialContext(ctx, "tcp", addr)
		cancel()
		if err == nil {
			if l = t.start(conn); l == nil {
				conn.Close()
				err = errLinkClosed
			}
		}
		t.mu.Lock()
		waiters := d.waiters
		d.waiters = nil
		if err != nil {
			delete(t.dialed, addr) // the next proxy dials again
		} else {
			d.l = l
		}
		t.mu.Unlock()
		if err != nil {
			err = fmt.Errorf("remote: link to %s: %w", addr, err)
		}
		for _, w := range waiters {
			t.sys.Root.Send(w, linked{l: l, err: err})
		}
	}()
}

// stop closes the listener and every link, and waits for their goroutines.
func (t *links) stop() {
	t.mu.Lock()
	t.closed = true
	t.mu.Unlock()
	t.halt()
	if t.ln != nil {
		t.ln.Close()
	}
	// What the node said last (its sockets' CloseEvents) goes out: every link at once, for a
	// second at most, however many peers are slow.
	var flushed sync.WaitGroup
	for _, l := range t.openLinks() {
		flushed.Go(func() { l.closeGracefully(time.Now().Add(time.Second)) })
	}
	flushed.Wait()
	t.wg.Wait()
}

// openLinks returns the links open now, dialed or accepted.
func (t *links) openLinks() []*link {
	t.mu.Lock()
	defer t.mu.Unlock()
	open := make([]*link, 0, len(t.open))
	for l := range t.open {
		open = append(open, l)
	}
	return open
}

// sendFailed logs a send on a link that failed for another reason than the link's loss
// (which its users hear of anyway).
func sendFailed(logger *slog.Logger, who string, err error) {
	if err != nil && !errors.Is(err, errLinkClosed) {
		logger.Error("remote: "+who+" could not send", "err", err)
	}
}

// flush waits, for at most d, until what is queued on l was handed to the kernel.
func (l *link) flush(d time.Duration) {
	for deadline := time.Now().Add(d); time.Now().Before(deadline); time.Sleep(time.Millisecond) {
		l.mu.Lock()
		idle := l.closed || len(l.bufs) == 0 && len(l.arena) == 0 && !l.writing
		l.mu.Unlock()
		if idle {
			return
		}
	}
}

// closeGracefully closes l once what is queued on it was handed to the kernel, with a FIN
// after it, and once the peer has ended its side (or at deadline): closing at once, with
// the peer's data unread, would make the kernel reset the connection and drop what it had
// not sent yet. The peer's node sees the FIN as the link's end and closes its side.
func (l *link) closeGracefully(deadline time.Time) {
	l.flush(time.Until(deadline))
	if tc, ok := l.conn.(*net.TCPConn); ok && !l.broken() && tc.CloseWrite() == nil {
		wait := time.NewTimer(time.Until(deadline))
		select {
		case <-l.stopped: // the reader saw the peer's end, and the link closed
		case <-wait.C:
		}
		wait.Stop()
	}
	l.close()
}

// broken reports whether l was closed.
func (l *link) broken() bool {
	l.mu.Lock()
	defer l.mu.Unlock()
	return l.closed
}

// use records that who sends on l and must be told if it breaks; false when it is broken
// already.
func (l *link) use(who *actor.PID) bool {
	l.mu.Lock()
	defer l.mu.Unlock()
	if l.closed {
		return false
	}
	l.users[who.Id] = who
	return true
}

// done forgets who.
func (l *link) done(who *actor.PID) {
	l.mu.Lock()
	delete(l.users, who.Id)
	l.mu.Unlock()
}

// close breaks the link: the writer stops, the reader ends, and its users are told.
func (l *link) close() {
	l.mu.Lock()
	if l.closed {
		l.mu.Unlock()
		return
	}
	l.closed = true
	users, leases := l.users, l.leases
	l.users = nil
	l.bufs, l.arena, l.leases = nil, nil, nil
	l.mu.Unlock()
	for _, lease := range leases {
		lease.Release()
	}
	l.conn.Close()
	close(l.wake)
	t := l.t
	t.mu.Lock()
	delete(t.open, l)
	for addr, d := range t.dialed {
		if d.l == l {
			delete(t.dialed, addr)
		}
	}
	t.mu.Unlock()
	for _, u := range users {
		t.sys.Root.Send(u, linkLost{l: l})
	}
}

// bind sends a relay (target) its proxy's first frame: from then on the relay answers on l.
func (l *link) bind(target, self string) error {
	return l.frame(frameBind, target, nil, []byte(self), nil)
}

// barrier asks the other node for a barrierAck to self, behind what it has queued on l. A
// proxy whose relay stopped sends one: whatever the relay said last was queued before its
// stop was known here, so it arrives before the answer.
func (l *link) barrier(self string) error {
	return l.frame(frameBarrier, "", nil, []byte(self), nil)
}

// send sends m, a message of package wire, to the actor whose id on the other node is target.
func (l *link) send(target string, m proto.Message) error {
	name := string(m.ProtoReflect().Descriptor().FullName())
	if len(name) > 255 {
		return fmt.Errorf("remote: message type name too long for a link: %q", name)
	}
	b, err := proto.MarshalOptions{}.MarshalAppend(append([]byte{byte(len(name))}, name...), m)
	if err != nil {
		return fmt.Errorf("remote: encode %s: %w", name, err)
	}
	return l.frame(frameMsg, target, nil, b, nil)
}

// sendData sends a DataEvent's data. It goes out from data itself: lease, its hold on it, is
// released once it was written (or the link broke); the caller gives up its reference.
func (l *link) sendData(target string, data []byte, lease *messages.Lease) error {
	return l.frame(frameData, target, nil, data, lease)
}

// sendWrite sends a Write's data, with the id its settlement names. It goes out from data
// itself, which must not change until the Write is settled.
func (l *link) sendWrite(target string, id uint64, data []byte) error {
	return l.frame(frameWrite, target, binary.BigEndian.AppendUint64(make([]byte, 0, 8), id), data, nil)
}

// frame queues a frame for the writer: kind, target, head and body; lease holds body and is
// released once body was written or copied, or the frame was refused.
func (l *link) frame(kind byte, target string, head, body []byte, lease *messages.Lease) error {
	if len(target) > 255 {
		lease.Release()
		return fmt.Errorf("remote: actor id too long for a link: %q", target)
	}
	n := 1 + 1 + len(target) + len(head) + len(body)
	if n > maxFrame {
		lease.Release()
		return fmt.Errorf("remote: frame of %d bytes over the link's limit", n)
	}
	l.mu.Lock()
	defer l.mu.Unlock()
	if l.closed {
		lease.Release()
		return errLinkClosed
	}
	if kind == frameAck {
		// A peer asks a barrier of a proxy whose relay stopped, once per socket at most: this
		// many answers waiting behind a writer the peer does not read is a peer that asks
		// without reading (a bug on its side), which must not grow this node's memory.
		// The reader must not stop reading instead: two nodes streaming to each other would
		// each wait for the other.
		if l.answers >= maxQueuedAnswers {
			return errTooManyAnswers
		}
		l.answers++
	}
	wasEmpty := len(l.bufs) == 0 && len(l.arena) == 0
	a := binary.BigEndian.AppendUint32(l.arena, uint32(n))
	a = append(a, kind, byte(len(target)))
	a = append(a, target...)
	a = append(a, head...)
	if len(body) < bigPayload {
		l.arena = append(a, body...)
		lease.Release()
	} else {
		// The header joins what waits in the arena; the body goes out from its own slice,
		// and the next frame starts a new arena after it.
		l.bufs = append(l.bufs, a, body)
		l.arena = a[len(a):]
		if lease != nil {
			l.leases = append(l.leases, lease)
		}
	}
	if wasEmpty {
		select {
		case l.wake <- struct{}{}:
		default:
		}
	}
	return nil
}

// write is the link's writer: it hands what is queued to the kernel with one writev per
// batch.
func (l *link) write() {
	var bufs net.Buffers
	var leases []*messages.Lease
	for range l.wake {
		for {
			l.mu.Lock()
			if l.closed {
				l.mu.Unlock()
				return
			}
			bufs = append(bufs[:0], l.bufs...)
			if len(l.arena) > 0 {
				bufs = append(bufs, l.arena)
			}
			clear(l.bufs)
			l.bufs, l.arena = l.bufs[:0], nil
			leases, l.leases = l.leases, leases[:0]
			l.writing = len(bufs) > 0
			l.answers = 0
			l.mu.Unlock()
			if len(bufs) == 0 {
				break
			}
			all := bufs
			_, err := all.WriteTo(l.conn)
			clear(bufs)
			for i, lease := range leases {
				lease.Release()
				leases[i] = nil
			}
			l.mu.Lock()
			l.writing = false
			l.mu.Unlock()
			if err != nil {
				l.t.logger.Debug("remote: link write failed", "err", err, "peer", l.conn.RemoteAddr().String())
				l.close()
				return
			}
		}
	}
}

// read is the link's reader: it decodes each frame and sends its message to its target, a
// local actor; it returns when the link breaks. A frame this node cannot decode is dropped
// with a log line, as the node's interceptor does for protoactor's messages.
func (l *link) read() {
	defer func() {
		// A frame that makes the reader panic breaks this link (its users are told), not the
		// node: it came from another process.
		if r := recover(); r != nil {
			l.t.logger.Error("remote: panic reading a link, closing it", "panic", r,
				"peer", l.conn.RemoteAddr().String(), "stack", string(debug.Stack()))
		}
	}()
	br := bufio.NewReaderSize(l.conn, 64<<10)
	// The last target's PID: frames come in runs to one actor, and a map of every target
	// would grow for as long as the link lives, as sockets come and go.
	var last *actor.PID
	var hdr [4]byte
	scratch := make([]byte, 0, 512)
	for {
		if _, err := io.ReadFull(br, hdr[:]); err != nil {
			return
		}
		n := int(binary.BigEndian.Uint32(hdr[:]))
		if n < 2 || n > maxFrame {
			l.t.logger.Error("remote: bad frame on a link, closing it", "size", n, "peer", l.conn.RemoteAddr().String())
			return
		}
		kind, err := br.ReadByte()
		if err != nil {
			return
		}
		tlen, err := br.ReadByte()
		if err != nil || int(tlen) > n-2 {
			return
		}
		scratch = scratch[:tlen]
		if _, err := io.ReadFull(br, scratch); err != nil {
			return
		}
		size := n - 2 - int(tlen)
		var buf *[]byte
		var body []byte
		if kind == frameData || kind == frameWrite {
			buf = frameBuffers.Get().(*[]byte)
			body = (*buf)[:size]
		} else {
			body = make([]byte, size)
		}
		if _, err := io.ReadFull(br, body); err != nil {
			return
		}
		if last == nil || last.Id != string(scratch) {
			last = actor.NewPID(l.t.sys.Address(), string(scratch))
		}
		pid := last
		var msg any
		switch kind {
		case frameData:
			msg = linkData{data: body, buf: buf}
		case frameWrite:
			if len(body) < 8 {
				putFrameBuffer(buf)
				l.t.logger.Error("remote: a write frame without its id on a link, closing it",
					"size", len(body), "peer", l.conn.RemoteAddr().String())
				return
			}
			msg = linkWrite{id: binary.BigEndian.Uint64(body), data: body[8:], buf: buf}
		case frameBind:
			msg = bound{l: l, peer: string(body)}
		case frameBarrier:
			if err := l.frame(frameAck, string(body), nil, nil, nil); errors.Is(err, errTooManyAnswers) {
				l.t.logger.Error("remote: a peer asks without reading the answers, closing the link",
					"peer", l.conn.RemoteAddr().String())
				return
			}
			continue
		case frameAck:
			msg = barrierAck{l: l}
		case frameMsg:
			m, err := decodeFrame(body)
			if err != nil {
				l.t.logger.Warn("remote: dropped a message from a link", "err", err)
				continue
			}
			msg = m
		default:
			l.t.logger.Warn("remote: dropped a frame of an unknown kind from a link", "kind", kind)
			continue
		}
		l.t.sys.Root.Send(pid, msg)
	}
}

// maxQueuedAnswers bounds the barrier acks queued on a link that its writer has not taken.
const maxQueuedAnswers = 1 << 16

var errTooManyAnswers = errors.New("remote: a peer asks without reading the answers")

// decodeFrame decodes a frameMsg body: a type this process does not link is an error.
func decodeFrame(b []byte) (proto.Message, error) {
	if len(b) < 1 || len(b) < 1+int(b[0]) {
		return nil, errors.New("short message frame")
	}
	k := 1 + int(b[0]) // in int: 1+b[0] as a byte wraps to 0 at 255
	name := protoreflect.FullName(b[1:k])
	mt, err := protoregistry.GlobalTypes.FindMessageByName(name)
	if err != nil {
		return nil, fmt.Errorf("message type %q: %w", name, err)
	}
	m := mt.New().Interface()
	if err := proto.Unmarshal(b[k:], m); err != nil {
		return nil, fmt.Errorf("decode %s: %w", name, err)
	}
	return m, nil
}
