package netapi_test

import (
	"bufio"
	"io"
	"strings"
	"testing"

	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"

	"github.com/actornet/actornet/internal/testkit"
	"github.com/actornet/actornet/netapi"
)

// A line server whose 'data' listener gets one line at a time (Framing), replying to each;
// with ReuseReadBuffer the replies are slices of the read buffer. Lines cut across reads
// arrive whole; a line longer than MaxFrame is an 'error' (ERR_ACTORNET_FRAME_TOO_LARGE)
// and closes the socket.
func TestFramingLineServer(t *testing.T) {
	for _, reuse := range []bool{false, true} {
		rt := newRuntime(t)
		errs := make(chan error, 1)
		srv := rt.CreateServer(netapi.ServerOptions{ReuseReadBuffer: reuse,
			Framing: &netapi.Framing{Split: bufio.ScanLines, MaxFrame: 64}}, func(s *netapi.Socket) {
			s.OnData(func(line []byte) {
				s.Write([]byte("<"), nil)
				s.Write(line, nil)
				s.Write([]byte(">"), nil)
			})
			s.OnError(func(err error) { errs <- err })
		})
		port := listen(t, srv)
		c := testkit.Dial(t, port)
		for _, part := range []string{"GET a\nGET", " b\n", "GET c\r\nGET d\n"} {
			_, err := io.WriteString(c, part)
			require.NoError(t, err)
		}
		got := make([]byte, len("<GET a><GET b><GET c><GET d>"))
		_, err := io.ReadFull(c, got)
		require.NoError(t, err)
		assert.Equal(t, "<GET a><GET b><GET c><GET d>", string(got), "ReuseReadBuffer %v", reuse)

		_, err = io.WriteString(c, strings.Repeat("x", 100))
		require.NoError(t, err)
		err = recv(t, errs)
		assert.ErrorIs(t, err, netapi.ErrFrameTooLarge)
		assert.Equal(t, "ERR_ACTORNET_FRAME_TOO_LARGE", netapi.Code(err))
		rest, _ := io.ReadAll(c)
		assert.Empty(t, rest)
		srv.Close(nil)
	}
}
