package actors_test

import (
	"bufio"
	"testing"

	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"

	"github.com/actornet/actornet/actors"
	"github.com/actornet/actornet/messages"
)

// A frame gathered over two reads is delivered from the framer's own buffer; that frame is
// its receiver's to keep (no lent buffer, no Lease). The framer must not write the next
// partial frame into the same array.
func TestFramingGatheredFrameIsNotOverwritten(t *testing.T) {
	e := newEnv(t)
	ln, port := rawListener(t)
	p := e.probe()
	e.client(p, actors.SocketConfig{Framing: &actors.Framing{Split: bufio.ScanLines}}, port)
	peer := acceptOne(t, ln)
	expect[*messages.ConnectEvent](p)
	frame := func() *messages.DataEvent {
		t.Helper()
		d := expect[*messages.DataEvent](p)
		require.Nil(t, d.Lease)
		return d
	}
	write := func(s string) {
		t.Helper()
		_, err := peer.Write([]byte(s))
		require.NoError(t, err)
	}
	write("s1\nab") // "ab" begins a frame: the framer keeps a copy
	assert.Equal(t, "s1", string(frame().Data))
	write("c\n") // the frame completes from the framer's buffer
	kept := frame()
	assert.Equal(t, "abc", string(kept.Data))
	write("s2\nxyz") // another partial frame
	assert.Equal(t, "s2", string(frame().Data))
	write("\n")
	assert.Equal(t, "xyz", string(frame().Data))
	assert.Equal(t, "abc", string(kept.Data), "a delivered frame was overwritten by the framer")
}

// A split function that returns a token without advancing forever (bufio.Scanner panics
// after 100 such empty tokens) must not spin the socket's loop: the socket should fail with
// ErrBadFrame. Here the handler breaks the spin itself after 1000 frames, by panicking.
func TestFramingSplitThatNeverAdvances(t *testing.T) {
	e := newEnv(t)
	ln, port := rawListener(t)
	stuck := func(data []byte, atEOF bool) (int, []byte, error) { return 0, data[:0], nil }
	events := make(chan any, 100)
	frames := 0
	pid, err := actors.SpawnSocket(e.tree, actors.SocketConfig{Framing: &actors.Framing{Split: stuck},
		Handler: func(ev any) {
			if _, ok := ev.(*messages.DataEvent); ok {
				if frames++; frames == 1000 {
					panic("1000 empty frames for one read")
				}
				return
			}
			events <- ev
		}})
	require.NoError(t, err)
	e.send(pid, &messages.Connect{Port: port, Host: "127.0.0.1"})
	peer := acceptOne(t, ln)
	defer peer.Close()
	assert.IsType(t, &messages.ConnectEvent{}, recvConn(t, events))
	_, err = peer.Write([]byte("x"))
	require.NoError(t, err)
	ev, ok := recvConn(t, events).(*messages.ErrorEvent)
	require.True(t, ok)
	assert.ErrorIs(t, ev.Err, actors.ErrBadFrame, "got %v after %d frames", ev.Err, frames)
}

// A split function's bufio.ErrFinalToken ends the framing: its token is the last frame, and
// the socket then delivers what it reads as it is, starting with the rest of the read the
// final token came in: a header framed by lines, then a stream (a protocol upgrade).
func TestFramingEndsAtTheFinalToken(t *testing.T) {
	e := newEnv(t)
	ln, port := rawListener(t)
	p := e.probe()
	upgrade := func(data []byte, atEOF bool) (int, []byte, error) {
		adv, tok, err := bufio.ScanLines(data, atEOF)
		if err == nil && string(tok) == "UPGRADE" {
			return adv, tok, bufio.ErrFinalToken
		}
		return adv, tok, err
	}
	e.client(p, actors.SocketConfig{Framing: &actors.Framing{Split: upgrade}}, port)
	peer := acceptOne(t, ln)
	expect[*messages.ConnectEvent](p)
	_, err := peer.Write([]byte("a\nUPGRADE\nraw1\nraw2"))
	require.NoError(t, err)
	assert.Equal(t, "a", string(expect[*messages.DataEvent](p).Data))
	assert.Equal(t, "UPGRADE", string(expect[*messages.DataEvent](p).Data))
	assert.Equal(t, "raw1\nraw2", string(expect[*messages.DataEvent](p).Data), "the rest of the read, as it is")
	_, err = peer.Write([]byte("x\ny\n"))
	require.NoError(t, err)
	assert.Equal(t, "x\ny\n", string(expect[*messages.DataEvent](p).Data), "a later read, as it is")
}
