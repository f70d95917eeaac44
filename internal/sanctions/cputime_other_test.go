//go:build !linux

package sanctions

import "time"

// threadCPU is not measured outside Linux.
func threadCPU() time.Duration { return 0 }
