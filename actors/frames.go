package actors

import (
	"bufio"
	"encoding/binary"
	"errors"
	"fmt"
	"math"

	"github.com/asynkron/protoactor-go/actor"

	"github.com/actornet/actornet/messages"
)

// Framing makes a socket deliver frames instead of reads: each DataEvent is one token of
// Split, Go's bufio.SplitFunc (bufio.ScanLines, bufio.ScanWords, [SplitLengthPrefixed] ...),
// so a server's parser is its split function. A frame that lies inside one read is a slice of
// that read: no copy, and with LendReads it holds the read's lease like the read would. A
// frame spread over reads is gathered in a buffer of the socket's. Pause, backpressure and
// the peer's end work as for reads: frames not delivered yet wait, and at the end, what is
// left goes through Split once more with atEOF set (the last line without its newline).
// A Split that returns bufio.ErrFinalToken ends the framing (where bufio.Scanner stops):
// its token is the last frame, and from there on the socket delivers what it reads as it
// reads it, the rest of that read first. That is a protocol upgrade: a header framed by
// lines, then a stream.
type Framing struct {
	Split bufio.SplitFunc
	// MaxFrame bounds a frame, and what the socket gathers waiting for one; more fails the
	// socket with ErrFrameTooLarge. 0 means DefaultMaxFrame.
	MaxFrame int
}

// DefaultMaxFrame is bufio.Scanner's own bound on a token.
const DefaultMaxFrame = bufio.MaxScanTokenSize

var (
	// ErrFrameTooLarge: the peer sent more than Framing.MaxFrame bytes without completing a
	// frame (Node-style code ERR_ACTORNET_FRAME_TOO_LARGE).
	ErrFrameTooLarge = errors.New("actornet: frame too large")
	// ErrBadFrame wraps the error of a Framing.Split: the peer's data cannot be framed.
	ErrBadFrame = errors.New("actornet: bad frame")
)

// SplitLengthPrefixed is a SplitFunc for frames that start with their length, big-endian in
// size bytes (1, 2 or 4); the token is the frame without its length. It panics for another
// size.
func SplitLengthPrefixed(size int) bufio.SplitFunc {
	if size != 1 && size != 2 && size != 4 {
		panic(fmt.Sprintf("actors: SplitLengthPrefixed(%d): the size of a length is 1, 2 or 4", size))
	}
	return func(data []byte, atEOF bool) (int, []byte, error) {
		if len(data) < size {
			if atEOF && len(data) > 0 {
				return 0, nil, fmt.Errorf("%w: %d bytes of a length at the end", ErrBadFrame, len(data))
			}
			return 0, nil, nil
		}
		var n int
		switch size {
		case 1:
			n = int(data[0])
		case 2:
			n = int(binary.BigEndian.Uint16(data))
		case 4:
			n = int(binary.BigEndian.Uint32(data))
		}
		if len(data) < size+n {
			if atEOF {
				return 0, nil, fmt.Errorf("%w: a frame of %d bytes cut at %d", ErrBadFrame, n, len(data)-size)
			}
			return 0, nil, nil
		}
		return size + n, data[size : size+n], nil
	}
}

// splitRaw is the Split of a framing that ended (bufio.ErrFinalToken): all there is.
func splitRaw(data []byte, _ bool) (int, []byte, error) { return len(data), data, nil }

// maxEmptyTokens is how many tokens in a row a split function may return without advancing
// before the socket fails with ErrBadFrame (bufio.Scanner panics after as many).
const maxEmptyTokens = 100

// framer is a socket's framing state: the frame begun in earlier reads, and frames not
// delivered yet (the owner paused in the middle of a read's).
type framer struct {
	Framing
	buf []byte // owned by the framer: a copy of what was read and not delivered yet
}

// deliver hands data (one read, or nil to go on with what the framer holds) to the owner as
// frames, for as long as data flows; lease is the read's when it is lent, and each frame in
// it holds a reference. It reports an error that fails the socket.
func (s *socket) deliverFrames(ctx actor.Context, data []byte, lease *messages.Lease, atEOF bool) error {
	f := s.rd.frames
	work, owned := data, false
	if len(f.buf) > 0 { // a frame begun before: this read continues it
		f.buf = append(f.buf, data...)
		work, owned, lease = f.buf, true, nil
	}
	empty := 0 // tokens in a row that advanced nothing
	for len(work) > 0 && s.rd.flow == flowOn && s.state == StateOpen {
		adv, tok, err := f.Split(work, atEOF)
		final := errors.Is(err, bufio.ErrFinalToken)
		if err != nil && !final {
			return fmt.Errorf("%w: %w", ErrBadFrame, err)
		}
		if adv < 0 || adv > len(work) {
			return fmt.Errorf("%w: the split function advanced %d over %d bytes", ErrBadFrame, adv, len(work))
		}
		if adv == 0 && tok == nil && !final {
			break // more is needed
		}
		if adv > 0 {
			empty = 0
		} else if empty++; empty > maxEmptyTokens {
			return fmt.Errorf("%w: the split function returned %d tokens without advancing", ErrBadFrame, empty)
		}
		if len(tok) > f.MaxFrame {
			return ErrFrameTooLarge
		}
		work = work[adv:]
		if tok != nil {
			lease.Retain() // the frame's own reference
			ev := s.dataEvent(tok)
			ev.Lease = lease
			if s.handler != nil && !s.held {
				s.handler(ev) // the writes of a read's frames go out together, below
			} else {
				s.emit(ctx, ev)
			}
		}
		if final { // framing ends: each read, and the rest of this one, is a frame of its own
			f.Split, f.MaxFrame = splitRaw, math.MaxInt
		}
	}
	if s.handler != nil {
		s.mb.loop.flushGathered() // the replies to a read's frames: one writev
	}
	if s.state != StateOpen {
		return nil
	}
	if len(work) > f.MaxFrame {
		return ErrFrameTooLarge
	}
	switch {
	case len(work) == 0 && owned:
		f.buf = nil // frames were delivered from it: theirs now
	case len(work) == 0:
		f.buf = f.buf[:0]
	case owned:
		// Frames delivered from buf are their receivers' now: the rest moves to a new one.
		f.buf = append([]byte(nil), work...)
	default:
		f.buf = append(f.buf[:0], work...) // the read's buffer goes back: keep a copy
	}
	return nil
}

// deliver hands a read to the owner: as it is, or as frames with Framing. With framing, the
// read's own reference on a lent buffer is the framer's while it delivers, released after.
func (s *socket) deliver(ctx actor.Context, data []byte) {
	if s.rd.frames == nil {
		s.emit(ctx, s.dataEvent(data))
		return
	}
	var lease *messages.Lease
	if s.rd.lent != nil {
		lease = s.rd.lease
	}
	err := s.deliverFrames(ctx, data, lease, false)
	lease.Release()
	if err != nil {
		s.fail(ctx, opError("read", s, err))
	}
}

// flushFrames delivers what the framer holds at the peer's end, with atEOF set.
func (s *socket) flushFrames(ctx actor.Context) bool {
	if s.rd.frames == nil || len(s.rd.frames.buf) == 0 {
		return true
	}
	if err := s.deliverFrames(ctx, nil, nil, true); err != nil {
		s.fail(ctx, opError("read", s, err))
		return false
	}
	return s.state == StateOpen
}
