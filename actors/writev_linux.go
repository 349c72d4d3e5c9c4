package actors

import (
	"syscall"
	"unsafe"
)

type iovec = syscall.Iovec

// writevFD hands w.iov to the kernel with one writev(2).
func (w *writer) writevFD(fd uintptr) bool {
	for {
		n, _, errno := syscall.Syscall(syscall.SYS_WRITEV, fd,
			uintptr(unsafe.Pointer(unsafe.SliceData(w.iov))), uintptr(len(w.iov)))
		w.n, w.err = int(n), nil
		if errno != 0 {
			w.n, w.err = 0, errno
		}
		if w.err != syscall.EINTR {
			return true
		}
	}
}

// setIov points w.iov at bufs, skipping empty ones, up to maxIov of them.
func (w *writer) setIov(bufs []chunk) {
	w.iov = w.iov[:0]
	for _, c := range bufs {
		if len(c.data) == 0 {
			continue
		}
		if len(w.iov) == maxIov {
			break
		}
		v := syscall.Iovec{Base: unsafe.SliceData(c.data)}
		v.SetLen(len(c.data))
		w.iov = append(w.iov, v)
	}
}

func (w *writer) iovLen() int { return len(w.iov) }

// clearIov drops the references to the written buffers.
func (w *writer) clearIov() {
	clear(w.iov)
	w.iov = w.iov[:0]
}
