package main

import (
	"bufio"
	"bytes"
	"context"
	"fmt"
	"os"
	"os/exec"
	"path/filepath"
	"strconv"
	"strings"
	"time"
)

// The servers besides the four main ones.
const (
	ownedData   = "actornet netapi (owned data)" // examples/echo without ReuseReadBuffer
	spliceGo    = "plain Go (splice)"            // io.Copy(c, c) as it is
	oneLoop     = "actornet netapi (1 loop)"     // examples/echo on one event loop, Node's model
	framedLines = "actornet netapi (framing)"    // linesrv -framing: pipeline only
	// The -tls run's servers.
	goTLS     = "plain Go (crypto/tls)" // goecho over tls.Listen
	netapiTLS = "actornet netapi (TLS)" // examples/tls
	nodeTLS   = "Node.js (tls)"         // echo.js over tls.createServer
)

// server is one echo server under test, run as a process of its own.
type server struct {
	Name    string
	command []string // built binary or interpreter, then arguments
	lines   []string // its twin that answers line by line, one write per line: "pipeline"
	cmd     *exec.Cmd
	Addr    string
}

// buildServers compiles the Go servers into dir and lists every server to run. Node is left
// out, with a note, when there is no node.
// tlsFiles are the certificate and key the TLS servers serve (the -tls run), in PEM files.
type tlsFiles struct{ cert, key string }

func buildServers(ctx context.Context, dir string, want map[string]bool, tf tlsFiles) ([]*server, []string, error) {
	var notes []string
	// lines is the server's twin for the pipeline workload: a server that writes one reply
	// per request, as one is written first (plain Go's with bufio.Writer, flushed once the
	// reader has nothing buffered).
	all := []struct {
		name, pkg string
		args      []string
		lines     []string // arguments of ./tests/bench/linesrv, nil for none
	}{
		{"plain Go", "./tests/bench/goecho", nil, []string{"-face", "plain"}},
		{spliceGo, "./tests/bench/goecho", []string{"-splice"}, nil},
		{"actornet netapi", "./examples/echo", nil, []string{"-face", "netapi"}},
		{oneLoop, "./examples/echo", []string{"-loops", "1"}, []string{"-face", "netapi", "-loops", "1"}},
		{"actornet actors", "./examples/actors", nil, []string{"-face", "actors"}},
		// Not run by default: the netapi echo with Node's data ownership (a new slice per read).
		{ownedData, "./examples/echo", []string{"-reuse=false"}, nil},
		// The -tls run's: crypto/tls's echo and examples/tls.
		{goTLS, "./tests/bench/goecho", []string{"-tls-cert", tf.cert, "-tls-key", tf.key}, nil},
		{netapiTLS, "./examples/tls", []string{"-cert", tf.cert, "-key", tf.key}, nil},
		// Not run by default, for the pipeline workload only: netapi's line server with the
		// lines framed by the socket (Framing) rather than parsed by hand.
		{framedLines, "./tests/bench/linesrv", []string{"-face", "netapi", "-framing"}, []string{"-face", "netapi", "-framing"}},
	}
	all = append(all, remoteServers...) // remote.go
	built := map[string]string{}
	build := func(pkg string) (string, error) {
		if bin, ok := built[pkg]; ok {
			return bin, nil
		}
		bin := filepath.Join(dir, filepath.Base(pkg))
		cmd := exec.CommandContext(ctx, "go", "build", "-o", bin, pkg)
		cmd.Stderr = os.Stderr
		if err := cmd.Run(); err != nil {
			return "", fmt.Errorf("building %s: %w", pkg, err)
		}
		built[pkg] = bin
		return bin, nil
	}
	var out []*server
	for _, s := range all {
		if !want[s.name] {
			continue
		}
		bin, err := build(s.pkg)
		if err != nil {
			return nil, nil, err
		}
		srv := &server{Name: s.name, command: append([]string{bin, "-addr", "127.0.0.1:0"}, s.args...)}
		if s.lines != nil {
			lines, err := build("./tests/bench/linesrv")
			if err != nil {
				return nil, nil, err
			}
			srv.lines = append([]string{lines, "-addr", "127.0.0.1:0"}, s.lines...)
		}
		out = append(out, srv)
	}
	for _, name := range []string{"Node.js", nodeTLS} {
		if !want[name] {
			continue
		}
		node, err := exec.LookPath("node")
		if err != nil {
			notes = append(notes, name+" skipped: no node on the PATH")
			continue
		}
		if name == nodeTLS {
			out = append(out, &server{Name: name, command: []string{node, "tests/bench/echo.js", "--tls", tf.cert, tf.key}})
			continue
		}
		out = append(out, &server{Name: name, command: []string{node, "tests/bench/echo.js"},
			lines: []string{node, "tests/bench/lines.js"}})
	}
	return out, notes, nil
}

// start runs the server and waits for the line that gives its address.
func (s *server) start(ctx context.Context, command []string) error {
	s.cmd = exec.CommandContext(ctx, command[0], command[1:]...)
	s.cmd.Stderr = os.Stderr
	stdout, err := s.cmd.StdoutPipe()
	if err != nil {
		return err
	}
	if err := s.cmd.Start(); err != nil {
		return err
	}
	lines := make(chan string, 1)
	go func() {
		sc := bufio.NewScanner(stdout)
		for sc.Scan() {
			select {
			case lines <- sc.Text():
			default:
			}
		}
	}()
	select {
	case l := <-lines:
		fields := strings.Fields(l)
		s.Addr = fields[len(fields)-1]
		return nil
	case <-time.After(10 * time.Second):
		_ = s.cmd.Process.Kill()
		return fmt.Errorf("%s did not say where it listens", s.Name)
	}
}

func (s *server) stop() {
	if s.cmd != nil && s.cmd.Process != nil {
		_ = s.cmd.Process.Kill()
		_ = s.cmd.Wait()
	}
}

// cpu is the CPU time the server has used, user and system, from /proc (in clock ticks of
// 10 ms: a workload of seconds measures it to about 1%).
func (s *server) cpu() (time.Duration, error) {
	b, err := os.ReadFile(fmt.Sprintf("/proc/%d/stat", s.cmd.Process.Pid))
	if err != nil {
		return 0, err
	}
	// The fields after the command's closing parenthesis: state, ppid, ... utime is the
	// 14th field of the line, stime the 15th.
	f := strings.Fields(string(b[bytes.LastIndexByte(b, ')')+1:]))
	if len(f) < 13 {
		return 0, fmt.Errorf("short /proc stat for %s", s.Name)
	}
	var ticks int64
	for _, v := range f[11:13] {
		n, err := strconv.ParseInt(v, 10, 64)
		if err != nil {
			return 0, err
		}
		ticks += n
	}
	return time.Duration(ticks) * 10 * time.Millisecond, nil
}

// rss is the server's resident memory in bytes, from /proc.
func (s *server) rss() (int64, error) {
	b, err := os.ReadFile(fmt.Sprintf("/proc/%d/status", s.cmd.Process.Pid))
	if err != nil {
		return 0, err
	}
	for _, l := range strings.Split(string(b), "\n") {
		if strings.HasPrefix(l, "VmRSS:") {
			f := strings.Fields(l)
			kb, err := strconv.ParseInt(f[1], 10, 64)
			return kb * 1024, err
		}
	}
	return 0, fmt.Errorf("no VmRSS for %s", s.Name)
}
