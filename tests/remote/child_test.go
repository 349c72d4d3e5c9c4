package remote_test

import (
	"bufio"
	"io"
	"os"
	"os/exec"
	"strings"
	"syscall"
	"testing"
	"time"
)

// wait bounds every wait for a child's line, far above what any step needs.
const wait = 20 * time.Second

// child is a node running in a process of its own.
type child struct {
	t     *testing.T
	cmd   *exec.Cmd
	stdin io.WriteCloser
	lines chan string
	addr  string
	// killed is set once the test killed the child: its exit status means nothing then.
	killed bool
}

// startNode runs this test binary as a node of role ("sockets" or "owners") with env added,
// and waits for its address. The node is stopped (stdin closed, then killed) with the test.
func startNode(t *testing.T, role string, env ...string) *child {
	t.Helper()
	cmd := exec.Command(os.Args[0], "-test.run=^$")
	cmd.Env = append(append(os.Environ(), nodeEnv+"="+role), env...)
	stdin, err := cmd.StdinPipe()
	if err != nil {
		t.Fatal(err)
	}
	stdout, err := cmd.StdoutPipe()
	if err != nil {
		t.Fatal(err)
	}
	cmd.Stderr = &testLog{t: t, prefix: role + ": "}
	if err := cmd.Start(); err != nil {
		t.Fatal(err)
	}
	c := &child{t: t, cmd: cmd, stdin: stdin, lines: make(chan string, 1024)}
	go func() { // ends when the child's stdout closes, with the child
		defer close(c.lines)
		sc := bufio.NewScanner(stdout)
		for sc.Scan() {
			c.lines <- sc.Text()
		}
	}()
	t.Cleanup(c.stop)
	c.addr = c.expect("addr ", wait)
	return c
}

// stop closes the child's stdin, which stops it, and kills it if it has not exited soon.
func (c *child) stop() {
	if c.killed { // or frozen
		_ = c.cmd.Process.Kill()
	}
	c.stdin.Close()
	done := make(chan struct{})
	var err error
	go func() {
		err = c.cmd.Wait()
		close(done)
	}()
	select {
	case <-done:
		if err != nil && !c.killed {
			c.t.Errorf("node %d: %v (66 is the race detector's report)", c.cmd.Process.Pid, err)
		}
	case <-time.After(15 * time.Second):
		c.t.Errorf("node %d did not stop within 15s of its stdin's end: killed", c.cmd.Process.Pid)
		_ = c.cmd.Process.Kill()
		<-done
	}
	for range c.lines { // let the reader finish
	}
}

// kill sends SIGKILL and returns when.
func (c *child) kill() time.Time {
	now := time.Now()
	c.killed = true
	if err := c.cmd.Process.Signal(syscall.SIGKILL); err != nil {
		c.t.Fatal(err)
	}
	return now
}

// freeze sends SIGSTOP and returns when; the child is killed with the test.
func (c *child) freeze() time.Time {
	now := time.Now()
	c.killed = true
	if err := c.cmd.Process.Signal(syscall.SIGSTOP); err != nil {
		c.t.Fatal(err)
	}
	return now
}

// send writes a command line to the child.
func (c *child) send(line string) {
	if _, err := io.WriteString(c.stdin, line+"\n"); err != nil {
		c.t.Fatal(err)
	}
}

// expect returns the rest of the first line that starts with prefix, skipping others; it
// fails the test after d.
func (c *child) expect(prefix string, d time.Duration) string {
	c.t.Helper()
	timeout := time.After(d)
	for {
		select {
		case l, ok := <-c.lines:
			if !ok {
				c.t.Fatalf("node exited before a line %q", prefix)
			}
			if rest, ok := strings.CutPrefix(l, prefix); ok {
				return rest
			}
		case <-timeout:
			c.t.Fatalf("no line %q from the node within %v", prefix, d)
		}
	}
}

// expectAll waits for a line starting with each of wants, in any order, skipping others.
func (c *child) expectAll(wants []string, d time.Duration) {
	c.t.Helper()
	left := map[string]bool{}
	for _, w := range wants {
		left[w] = true
	}
	timeout := time.After(d)
	for len(left) > 0 {
		select {
		case l, ok := <-c.lines:
			if !ok {
				c.t.Fatalf("node exited before lines %v", left)
			}
			for w := range left {
				if strings.HasPrefix(l, w) {
					delete(left, w)
				}
			}
		case <-timeout:
			c.t.Fatalf("no lines %v from the node within %v", left, d)
		}
	}
}

// testLog writes a child's stderr to the test's log.
type testLog struct {
	t      *testing.T
	prefix string
}

func (w *testLog) Write(p []byte) (int, error) {
	for _, l := range strings.Split(strings.TrimRight(string(p), "\n"), "\n") {
		w.t.Log(w.prefix + l)
	}
	return len(p), nil
}
