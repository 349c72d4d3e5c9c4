package testkit

import (
	"net"
	"syscall"
	"testing"
	"unsafe"

	"github.com/stretchr/testify/require"
)

// StalledPort returns a port on 127.0.0.1 where a connect never completes, until the test
// ends: a listener with a backlog of 0 that never accepts, its accept queue filled by
// connections of its own, so the kernel drops every further SYN (no blackhole address
// needed).
func StalledPort(t testing.TB) int {
	t.Helper()
	fd, err := syscall.Socket(syscall.AF_INET, syscall.SOCK_STREAM|syscall.SOCK_CLOEXEC, 0)
	require.NoError(t, err)
	t.Cleanup(func() { _ = syscall.Close(fd) })
	require.NoError(t, syscall.Bind(fd, &syscall.SockaddrInet4{Addr: [4]byte{127, 0, 0, 1}}))
	require.NoError(t, syscall.Listen(fd, 0))
	sa, err := syscall.Getsockname(fd)
	require.NoError(t, err)
	port := sa.(*syscall.SockaddrInet4).Port
	for i := 0; ; i++ {
		// On a listener, TCP_INFO's unacked is the accept queue's length, sacked its limit.
		var info syscall.TCPInfo
		size := uint32(unsafe.Sizeof(info))
		_, _, e := syscall.Syscall6(syscall.SYS_GETSOCKOPT, uintptr(fd), syscall.IPPROTO_TCP,
			syscall.TCP_INFO, uintptr(unsafe.Pointer(&info)), uintptr(unsafe.Pointer(&size)), 0)
		if e != 0 {
			t.Fatalf("getsockopt TCP_INFO: %v", e)
		}
		if info.Unacked > info.Sacked {
			return port
		}
		require.Less(t, i, 16, "the accept queue of a backlog-0 listener does not fill")
		c, err := net.DialTCP("tcp", nil, &net.TCPAddr{IP: net.IPv4(127, 0, 0, 1), Port: port})
		require.NoError(t, err)
		t.Cleanup(func() { _ = c.Close() })
	}
}
