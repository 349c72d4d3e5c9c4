package main

import (
	"bufio"
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
	ownedData = "actornet netapi (owned data)" // examples/echo without ReuseReadBuffer
	spliceGo  = "plain Go (splice)"            // io.Copy(c, c) as it is
	oneLoop   = "actornet netapi (1 loop)"     // examples/echo on one event loop, Node's model
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
func buildServers(ctx context.Context, dir string, want map[string]bool) ([]*server, []string, error) {
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
	if want["Node.js"] {
		if node, err := exec.LookPath("node"); err == nil {
			out = append(out, &server{Name: "Node.js", command: []string{node, "tests/bench/echo.js"},
				lines: []string{node, "tests/bench/lines.js"}})
		} else {
			notes = append(notes, "Node.js skipped: no node on the PATH")
		}
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
