// Package atomicfile replaces files so that readers see the old content or
// the new, never half of either: saved plans, exported files and
// plain-mock's state file are all read by other processes.
package atomicfile

import (
	"fmt"
	"os"
	"path/filepath"
)

// Write replaces path with data via a temporary file in the same directory
// (rename is atomic only within one file system). On any failure the
// previous file, if any, is left untouched and the temporary file removed.
// Only a new path or an existing regular file is replaced: renaming over a
// device (/dev/full, /dev/null), a pipe, a symlink or a directory would
// swap a system object for a plain file, so those are refused.
func Write(path string, data []byte, perm os.FileMode) (err error) {
	if st, err := os.Lstat(path); err == nil && !st.Mode().IsRegular() {
		return fmt.Errorf("write %s: %s, not a regular file; give a new path or a regular file", path, kind(st.Mode()))
	}
	dir := filepath.Dir(path)
	tmp, err := os.CreateTemp(dir, "."+filepath.Base(path)+".tmp-*")
	if err != nil {
		return fmt.Errorf("write %s: %w", path, err)
	}
	defer func() {
		if err != nil {
			_ = os.Remove(tmp.Name())
			err = fmt.Errorf("write %s: %w", path, err)
		}
	}()
	if _, err = tmp.Write(data); err != nil {
		_ = tmp.Close()
		return err
	}
	if err = tmp.Chmod(perm); err != nil {
		_ = tmp.Close()
		return err
	}
	if err = tmp.Sync(); err != nil {
		_ = tmp.Close()
		return err
	}
	if err = tmp.Close(); err != nil {
		return err
	}
	return os.Rename(tmp.Name(), path)
}

// kind names a non-regular file mode for an error message.
func kind(m os.FileMode) string {
	switch {
	case m.IsDir():
		return "it is a directory"
	case m&os.ModeSymlink != 0:
		return "it is a symbolic link"
	case m&os.ModeNamedPipe != 0:
		return "it is a named pipe"
	case m&os.ModeSocket != 0:
		return "it is a socket"
	case m&os.ModeDevice != 0:
		return "it is a device"
	}
	return "it is a special file"
}
