package remote

import (
	"net"
	"strings"
	"syscall"
	"testing"
	"time"

	"github.com/stretchr/testify/require"
)

// A node out of descriptors cannot take a link for a while; it must take it once descriptors
// are free again, not stop taking links for good. The test uses up this process's
// descriptors (its soft limit lowered for the purpose), dials with the last one, and frees
// them once the failed accept was logged.
func TestLinkListenerSurvivesEMFILE(t *testing.T) {
	p := newLinkPair(t)
	free := exhaustDescriptors(t, p)
	require.Eventually(t, func() bool {
		return strings.Contains(p.logs.String(), "accepting a link failed")
	}, 10*time.Second, time.Millisecond, "the accept fails for want of a descriptor")
	free()
	require.Eventually(t, func() bool { return len(p.a.openLinks()) == 1 }, 10*time.Second,
		time.Millisecond, "the link is taken once descriptors are free")
}

// A node that stops while its link listener waits between failed accepts stops at once,
// not at the end of the pause (which grows to a second).
func TestStopDuringAcceptBackoff(t *testing.T) {
	p := newLinkPair(t)
	free := exhaustDescriptors(t, p)
	defer free()
	require.Eventually(t, func() bool {
		return strings.Contains(p.logs.String(), "in=1s")
	}, 10*time.Second, time.Millisecond, "the accept loop pauses a second between tries")
	start := time.Now()
	p.a.stop()
	took := time.Since(start)
	require.Less(t, took, 500*time.Millisecond, "stop waited %v for the accept loop's pause", took)
}

// exhaustDescriptors uses up this process's descriptors (its soft limit lowered for the
// purpose) and dials p.a's link port with the last one, so that p.a's accept fails with
// EMFILE until free is called; free also runs when the test ends.
func exhaustDescriptors(t *testing.T, p *linkPair) (free func()) {
	t.Helper()
	var lim syscall.Rlimit
	require.NoError(t, syscall.Getrlimit(syscall.RLIMIT_NOFILE, &lim))
	low := lim
	low.Cur = 256
	require.NoError(t, syscall.Setrlimit(syscall.RLIMIT_NOFILE, &low))
	var fillers []int
	free = func() {
		for _, fd := range fillers {
			_ = syscall.Close(fd)
		}
		fillers = nil
		_ = syscall.Setrlimit(syscall.RLIMIT_NOFILE, &lim)
	}
	t.Cleanup(free)
	for {
		fd, err := syscall.Open("/dev/null", syscall.O_RDONLY|syscall.O_CLOEXEC, 0)
		if err != nil {
			require.ErrorIs(t, err, syscall.EMFILE)
			break
		}
		fillers = append(fillers, fd)
	}
	require.NotEmpty(t, fillers)
	_ = syscall.Close(fillers[len(fillers)-1]) // the one the dial takes
	fillers = fillers[:len(fillers)-1]
	c, err := net.DialTimeout("tcp", p.a.addr, 10*time.Second)
	if err != nil {
		free()
		require.NoError(t, err)
	}
	t.Cleanup(func() { c.Close() })
	return free
}
