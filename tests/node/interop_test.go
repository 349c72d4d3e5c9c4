package node

import (
	"bufio"
	"context"
	"crypto/rand"
	"crypto/sha256"
	"encoding/hex"
	"encoding/json"
	"hash"
	"os/exec"
	"path/filepath"
	"strconv"
	"testing"

	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"

	"github.com/actornet/actornet/internal/testkit"
	"github.com/actornet/actornet/netapi"
)

const interopSize = 10 << 20

// peerReport is the JSON line interop/peer.js prints.
type peerReport struct {
	Port     int    `json:"port"`
	Sent     string `json:"sent"`
	Received string `json:"received"`
	Bytes    int    `json:"bytes"`
}

// goSide sends interopSize random bytes on s with backpressure, ends, and reads the peer's
// bytes until its end; it reports both hashes once the socket has closed.
type goSide struct {
	sent     string
	received hash.Hash
	bytes    int
	done     chan error
}

// payload is interopSize random bytes.
func payload(t *testing.T) []byte {
	t.Helper()
	out := make([]byte, interopSize)
	_, err := rand.Read(out)
	require.NoError(t, err)
	return out
}

// exchange runs in callbacks: it must not call t.Fatal, so it takes its payload ready.
func exchange(s *netapi.Socket, out []byte) *goSide {
	sum := sha256.Sum256(out)
	g := &goSide{sent: hex.EncodeToString(sum[:]), received: sha256.New(), done: make(chan error, 1)}
	s.OnData(func(d []byte) { g.received.Write(d); g.bytes += len(d) })
	s.OnError(func(err error) { g.done <- err })
	s.OnClose(func(hadError bool) {
		if !hadError {
			g.done <- nil
		}
	})
	off := 0
	var write func()
	write = func() {
		for off < len(out) {
			chunk := out[off:min(off+64<<10, len(out))]
			off += len(chunk)
			if !s.Write(chunk, nil) {
				return // 'drain' calls write again
			}
		}
		s.End(nil, nil)
	}
	s.OnDrain(write)
	write()
	return g
}

func (g *goSide) check(t *testing.T, peer peerReport) {
	t.Helper()
	require.NoError(t, <-g.done)
	assert.Equal(t, interopSize, g.bytes, "bytes Go received from Node")
	assert.Equal(t, peer.Sent, hex.EncodeToString(g.received.Sum(nil)), "what Go received is not what Node sent")
	assert.Equal(t, interopSize, peer.Bytes, "bytes Node received from Go")
	assert.Equal(t, g.sent, peer.Received, "what Node received is not what Go sent")
}

func startPeer(t *testing.T, node string, args ...string) (*bufio.Scanner, func() error) {
	t.Helper()
	return startScript(t, node, "peer.js", args...)
}

// startScript runs one of the interop scripts with Node and returns its output, line by line.
func startScript(t *testing.T, node, script string, args ...string) (*bufio.Scanner, func() error) {
	t.Helper()
	ctx, cancel := context.WithTimeout(context.Background(), limit)
	t.Cleanup(cancel)
	cmd := exec.CommandContext(ctx, node, append([]string{filepath.Join("interop", script)}, args...)...)
	stdout, err := cmd.StdoutPipe()
	require.NoError(t, err)
	require.NoError(t, cmd.Start())
	return bufio.NewScanner(stdout), cmd.Wait
}

func readReport(t *testing.T, sc *bufio.Scanner) peerReport {
	t.Helper()
	require.True(t, sc.Scan(), "the Node peer printed nothing: %v", sc.Err())
	var r peerReport
	require.NoError(t, json.Unmarshal(sc.Bytes(), &r), "line: %s", sc.Text())
	return r
}

// An actornet server and a Node client exchange 10 MiB each way with half-close.
func TestInteropNodeClient(t *testing.T) {
	node := nodeBinary(t)
	rt := newInteropRuntime(t)
	sides := make(chan *goSide, 1)
	out := payload(t)
	server := rt.CreateServer(netapi.ServerOptions{AllowHalfOpen: true}, nil)
	server.OnConnection(func(s *netapi.Socket) { sides <- exchange(s, out) })
	listening := make(chan struct{})
	server.ListenPort(0, "127.0.0.1", 0, func() { close(listening) })
	<-listening
	sc, wait := startPeer(t, node, "client", strconv.Itoa(server.Address().Port))
	g := <-sides
	report := readReport(t, sc)
	require.NoError(t, wait())
	g.check(t, report)
	server.Close(nil)
}

// A Node server and an actornet client exchange 10 MiB each way with half-close.
func TestInteropNodeServer(t *testing.T) {
	node := nodeBinary(t)
	rt := newInteropRuntime(t)
	sc, wait := startPeer(t, node, "server")
	port := readReport(t, sc).Port
	require.NotZero(t, port)
	c := rt.NewSocket(netapi.SocketOptions{AllowHalfOpen: true})
	g := exchange(c, payload(t))
	c.ConnectPort(port, "127.0.0.1", nil)
	report := readReport(t, sc)
	require.NoError(t, wait())
	g.check(t, report)
}

func newInteropRuntime(t *testing.T) *netapi.Runtime {
	rt := netapi.New(netapi.WithLogger(testkit.Logger(t)))
	t.Cleanup(func() {
		ctx, cancel := context.WithTimeout(context.Background(), limit)
		defer cancel()
		require.NoError(t, rt.Shutdown(ctx))
	})
	return rt
}
