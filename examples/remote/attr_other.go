//go:build !linux

package main

import "syscall"

// childAttr: elsewhere a node ends when its stdin does, once the process that started it is gone.
func childAttr() *syscall.SysProcAttr { return nil }
