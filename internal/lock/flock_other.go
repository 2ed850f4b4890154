//go:build !unix

package lock

import "os"

// Without flock the local lock always succeeds: the lease in Plain still
// serialises applies.
func tryLock(*os.File) (bool, error) { return true, nil }

// exclusive says whether tryLock excludes other processes.
const exclusive = false

func unlock(*os.File) error { return nil }
