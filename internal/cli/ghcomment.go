package cli

import (
	"context"
	"errors"
	"fmt"
	"strconv"
	"strings"
	"time"

	"github.com/plainsync/plainsync/internal/ghactions"
	"github.com/plainsync/plainsync/internal/secret"
	"github.com/plainsync/plainsync/internal/spec"
)

// The pull-request comment, inside GitHub Actions. action.yml sets these
// from its inputs comment, comment-key, comment-on-no-changes and
// github-token.
const (
	envComment            = "PLAINSYNC_COMMENT"
	envCommentKey         = "PLAINSYNC_COMMENT_KEY"
	envCommentOnNoChanges = "PLAINSYNC_COMMENT_ON_NO_CHANGES"
	envGitHubToken        = "PLAINSYNC_GITHUB_TOKEN"
)

// commentReserve is the room each comment keeps for its heading, the
// error and the footer around the rendered plans.
const commentReserve = 6000

// actionsReport gathers what the pull-request comment says: each plan as
// the step summary shows it (sized for a comment), apply's results and
// refusals, the problems found, whether anything would change, and why no
// plan ran on a fork.
type actionsReport struct {
	parts    []string
	problems []spec.Problem
	changes  bool
	fork     string
}

// finishActions runs after every command inside Actions: it writes the
// exitcode output and, when the workflow asked for it, creates or updates
// the command's pull-request comment, which then shows this run's outcome,
// a failure included, and never an older plan. It returns the exit code,
// which a comment that could not be posted turns into a failure for the
// commands reviewers read it for.
func (f *Factory) finishActions(command string, code int, cmdErr error) int {
	a := f.actions()
	if !a.Enabled() {
		return code
	}
	switch command {
	case "plan", "apply", "drift", "validate":
	default:
		return code
	}
	if f.Getenv(envComment) == "true" {
		if err := f.postComment(command, code, cmdErr); err != nil {
			msg := "pull-request comment: " + f.Secrets.Mask(err.Error())
			if command == "plan" || command == "validate" {
				_ = a.Message(ghactions.LevelError, msg)
				if code == 0 {
					code = 1
				}
			} else {
				_ = a.Message(ghactions.LevelWarning, msg)
			}
		}
	}
	if err := a.SetOutput(ghactions.OutputExitCode, strconv.Itoa(code)); err != nil {
		fmt.Fprintf(f.IO.ErrOut, "Error: %s\n", f.Secrets.Mask(err.Error()))
		if code == 0 {
			code = 1
		}
	}
	return code
}

func (f *Factory) postComment(command string, code int, cmdErr error) error {
	a := f.actions()
	ev, err := a.ReadEvent()
	if err != nil {
		return err
	}
	token := f.Getenv(envGitHubToken)
	if token != "" {
		f.Secrets.Add("GITHUB_TOKEN", token)
		if err := f.maskSecrets(); err != nil {
			return err
		}
	}
	gh, err := ghactions.NewGitHub(f.Getenv("GITHUB_API_URL"), token, nil)
	if err != nil {
		return err
	}
	ctx, cancel := context.WithTimeout(context.Background(), 2*time.Minute)
	defer cancel()
	pr := ev.PR
	if pr == 0 && ev.SHA != "" && ev.Repo != "" {
		// A push (the merge of a reviewed pull request): report back on
		// the pull request the commit came from.
		prs, err := gh.PullRequestsOf(ctx, ev.Repo, ev.SHA)
		if err != nil {
			return err
		}
		if len(prs) > 0 {
			pr = prs[0]
		}
	}
	if pr == 0 || ev.Repo == "" {
		_ = a.Message(ghactions.LevelNotice, "no pull request to comment on for this "+ev.Name+" event")
		return nil
	}
	key := f.Getenv(envCommentKey)
	if key == "" {
		key = "plainsync.yaml"
	}
	onlyUpdate := f.Getenv(envCommentOnNoChanges) == "false" && code == 0 && !f.report.changes && f.report.fork == ""
	body := f.commentBody(command, code, cmdErr, ev)
	res, err := a.UpsertComment(ctx, gh, ev.Repo, pr, ghactions.Marker(command+" "+key), body, onlyUpdate)
	if err != nil {
		return err
	}
	fmt.Fprintf(f.IO.ErrOut, "Pull-request comment on #%d: %s.\n", pr, res)
	return nil
}

// commentBody is the comment: a status line, the report's parts, the
// error or problems on failure, and a footer linking the run.
func (f *Factory) commentBody(command string, code int, cmdErr error, ev ghactions.Event) string {
	r := &f.report
	var b strings.Builder
	key := f.Getenv(envCommentKey)
	where := ""
	if key != "" {
		where = " for " + code1(key)
	}
	switch {
	case r.fork != "":
		fmt.Fprintf(&b, "#### ⏭️ plainsync %s%s: no plan on a fork\n\n", command, where)
	case code == 0 || (code == 2 && command == "drift"):
		status := "no changes"
		switch {
		case command == "apply" && r.changes:
			status = "applied"
		case command == "validate":
			status = "valid"
		case r.changes:
			status = "changes to review"
		}
		fmt.Fprintf(&b, "#### plainsync %s%s: %s\n\n", command, where, status)
	default:
		fmt.Fprintf(&b, "#### ❌ plainsync %s%s failed\n\n", command, where)
		if command == "plan" {
			b.WriteString("No plan could be made; an earlier plan shown here no longer applies.\n\n")
		}
	}
	var errs []string
	for _, p := range r.problems {
		if p.Severity != spec.SeverityWarning || code != 0 {
			errs = append(errs, p.String())
		}
	}
	var ee *ExitError
	if cmdErr != nil && !(errors.As(cmdErr, &ee) && ee.Err == nil) {
		errs = append(errs, "Error: "+secret.RedactURLsInText(f.Secrets.Mask(cmdErr.Error())))
	}
	if len(errs) > 0 {
		b.WriteString(codeBlock(f.Secrets.Mask(strings.Join(errs, "\n"))))
		b.WriteString("\n")
	}
	for _, p := range r.parts {
		b.WriteString(strings.TrimRight(p, "\n"))
		b.WriteString("\n\n")
	}
	b.WriteString("<sub>plainsync " + command)
	if ev.SHA != "" {
		b.WriteString(" for " + code1(short7(ev.SHA)))
	}
	if run := f.actions().RunURL(); run != "" {
		b.WriteString(" · [run](" + run + ")")
	}
	if code != 0 && !(code == 2 && command == "drift") {
		b.WriteString(" · exit code " + strconv.Itoa(code))
	}
	b.WriteString("</sub>\n")
	return b.String()
}

func short7(sha string) string {
	if len(sha) > 7 {
		return sha[:7]
	}
	return sha
}

// code1 is inline code for a comment, HTML-escaped.
func code1(s string) string {
	return "<code>" + strings.NewReplacer("&", "&amp;", "<", "&lt;", ">", "&gt;").Replace(s) + "</code>"
}

// forkWithoutKey says why plan cannot run here, or "": inside Actions, on
// a pull request from a fork, GitHub gives the workflow none of the
// repository's secrets, so a file whose API key is unset cannot be
// planned. Failing would paint every outside contribution red for
// something its author cannot fix; plan validates instead and says so.
func (f *Factory) forkWithoutKey(paths []string) string {
	a := f.actions()
	if !a.Enabled() {
		return ""
	}
	ev, err := a.ReadEvent()
	if err != nil || !ev.Fork {
		return ""
	}
	files, _ := spec.ExpandPaths(paths)
	for _, file := range files {
		d, _ := spec.LoadForValidate(file, f.LookupEnv)
		keyEnv := spec.DefaultAPIKeyEnv
		if d != nil && d.APIKeyEnv != "" {
			keyEnv = d.APIKeyEnv
		}
		if strings.TrimSpace(f.Getenv(keyEnv)) == "" {
			return fmt.Sprintf("this pull request comes from a fork, and GitHub runs the workflows of fork pull requests without the repository's secrets, so $%s is not set. The files were validated only; a maintainer can plan them by pushing the branch to this repository.", keyEnv)
		}
	}
	return ""
}

// validateForFork is plan on a fork without the key: validate, report why
// no plan ran, and pass when the files are valid.
func (f *Factory) validateForFork(paths []string, reason string) error {
	f.report.fork = reason
	_ = f.actions().Message(ghactions.LevelNotice, "No plan: "+reason)
	err := runValidate(f, paths, "text")
	status := "valid"
	if err != nil {
		status = "invalid: see the problems above"
	}
	return errors.Join(err, f.summarize("> [!NOTE]\n> **No plan ran:** "+reason+"\n\nValidation: "+status+".\n"))
}
