// comment-install-failure.mjs: action.yml's step after a failed install,
// with the input comment true. plainsync keeps its pull-request comments
// itself (internal/cli/ghcomment.go), but when it could not be installed
// there is no plainsync to run, and the comment would go on showing an
// older plan that no longer holds. This replaces each of the step's
// comments with the install error, on the pull request plainsync would
// have used, finding them by the same marker plainsync writes.
//
// Needs Node.js 18 or later (global fetch) and nothing else.
//
// Environment (action.yml sets it from the step's inputs; inputs arrive
// only here, never in a script's text):
//   PLAINSYNC_COMMAND, PLAINSYNC_FILES, PLAINSYNC_ARGS, PLAINSYNC_WORKDIR,
//   PLAINSYNC_COMMENT_KEY   the inputs command, files, args,
//                           working-directory and comment-key;
//   PLAINSYNC_INSTALL_ERROR the install step's output error;
//   PLAINSYNC_GITHUB_TOKEN  the input github-token;
// and the runner's GITHUB_* variables.
//
// Exit status: 0 when every comment was written, or there is no pull
// request (a notice says so); 1 when a comment could not be written.

import fs from "node:fs";
import path from "node:path";
import net from "node:net";

const env = process.env;
const token = env.PLAINSYNC_GITHUB_TOKEN ?? "";

// The token is never printed; the runner blanks it should anything else.
for (const line of token.split(/\r?\n/)) {
  if (line.trim() !== "") process.stdout.write(`::add-mask::${line}\n`);
}

function escapeData(s) {
  return String(s).replaceAll("%", "%25").replaceAll("\r", "%0D").replaceAll("\n", "%0A");
}

function mask(s) {
  let out = String(s);
  for (const line of token.split(/\r?\n/)) {
    if (line.trim() !== "") out = out.replaceAll(line, "***");
  }
  return out;
}

function message(level, text) {
  process.stdout.write(`::${level} title=plainsync::${escapeData(mask(text))}\n`);
}

// ---- The comment's marker: the same rule as plainsync's. ----

const COMMANDS = new Set(["plan", "apply", "drift", "validate"]);

// The run step splits files and args on the shell's whitespace.
function words(s) {
  return (s ?? "").split(/[ \t\n]+/).filter((w) => w !== "");
}

// goClean is Go's filepath.Clean (on a POSIX system).
function goClean(p) {
  if (p === "") return ".";
  let c = path.normalize(p);
  if (c.length > 1 && c.endsWith(path.sep)) c = c.slice(0, -1);
  return c;
}

// goExt is Go's filepath.Ext: from the last dot of the name, even a
// leading one.
function goExt(name) {
  const i = name.lastIndexOf(".");
  return i >= 0 ? name.slice(i) : "";
}

function isDir(p) {
  try {
    return fs.statSync(p).isDirectory();
  } catch {
    return false;
  }
}

// expandPaths is plainsync's -f handling: a directory stands for its
// *.yaml and *.yml entries that are not directories, in name order;
// duplicates (by cleaned path) are dropped. Paths are relative to dir.
function expandPaths(paths, dir) {
  const files = [];
  const seen = new Set();
  const add = (f) => {
    const k = goClean(f);
    if (!seen.has(k)) {
      seen.add(k);
      files.push(f);
    }
  };
  for (const p of paths) {
    const full = path.resolve(dir, p);
    if (!isDir(full)) {
      add(p);
      continue;
    }
    let names;
    try {
      names = fs.readdirSync(full);
    } catch {
      // plainsync reports an unreadable directory under its own path.
      add(p);
      continue;
    }
    names.sort((a, b) => Buffer.compare(Buffer.from(a), Buffer.from(b)));
    let n = 0;
    for (const name of names) {
      const ext = goExt(name).toLowerCase();
      if (ext !== ".yaml" && ext !== ".yml") continue;
      if (isDir(path.join(full, name))) continue;
      add(path.join(p, name));
      n++;
    }
    // ... and one without desired-state files too.
    if (n === 0) add(p);
  }
  return files;
}

// savedPlanFiles: "apply PLAN.json" applies a saved plan, which names its
// own file (its top-level "file"), relative to the working directory; a
// plan that cannot be read stands for itself.
function savedPlanFiles(plan, dir) {
  try {
    const data = JSON.parse(fs.readFileSync(path.resolve(dir, plan), "utf8"));
    if (data && typeof data === "object" && !Array.isArray(data) && typeof data.file === "string" && data.file !== "") {
      return [data.file];
    }
  } catch {
    // fall through
  }
  return [plan];
}

// evalSymlinks resolves p as far as it exists.
function evalSymlinks(p) {
  try {
    return fs.realpathSync.native(p);
  } catch {
    try {
      return path.join(fs.realpathSync.native(path.dirname(p)), path.basename(p));
    } catch {
      return goClean(p);
    }
  }
}

// repoPath is file relative to $GITHUB_WORKSPACE, symlinks resolved, with
// forward slashes; a file outside the workspace keeps the path given.
function repoPath(file, dir) {
  const ws = env.GITHUB_WORKSPACE ?? "";
  if (ws === "" || !path.isAbsolute(ws)) return file;
  const abs = path.isAbsolute(file) ? file : path.join(dir, file);
  let rel = path.relative(evalSymlinks(ws), evalSymlinks(abs));
  if (rel === "") rel = ".";
  if (path.isAbsolute(rel) || rel === ".." || rel.startsWith(".." + path.sep)) return file;
  return path.sep === "\\" ? rel.replaceAll("\\", "/") : rel;
}

function marker(key) {
  const k = key.replace(/[^ A-Za-z0-9._/@:+=-]+/g, "_").replaceAll("--", "-");
  return `<!-- plainsync-comment ${k} -->`;
}

// ---- The comment's body. ----

// code1 is a code span, like the Go side's: GitHub renders Markdown inside
// <code>…</code> in a heading, so a path like "[x](https://…).yaml" would
// be a link. The fence is longer than any backtick run inside; one space
// pads text the parser would otherwise trim or merge into the fence.
function code1(s) {
  s = s.replace(/[\r\n]/g, " ").replaceAll("##[", "#\\x23[");
  if (s === "") return "";
  let longest = 0;
  for (const m of s.matchAll(/`+/g)) longest = Math.max(longest, m[0].length);
  const f = "`".repeat(longest + 1);
  if (s.startsWith("`") || s.endsWith("`") || (s.startsWith(" ") && s.endsWith(" ") && s.trim() !== "")) s = " " + s + " ";
  return f + s + f;
}

function codeBlock(text) {
  let longest = 0;
  for (const m of text.matchAll(/`+/g)) longest = Math.max(longest, m[0].length);
  const fence = "`".repeat(Math.max(3, longest + 1));
  return fence + "\n" + text.replace(/\n+$/, "") + "\n" + fence + "\n";
}

function runURL() {
  const server = env.GITHUB_SERVER_URL ?? "";
  const repo = env.GITHUB_REPOSITORY ?? "";
  const id = env.GITHUB_RUN_ID ?? "";
  if (server === "" || repo === "" || id === "") return "";
  return server.replace(/\/+$/, "") + "/" + repo + "/actions/runs/" + id;
}

const MAX_ERROR = 60000;

function body(command, keypath, commentKey, installError, sha) {
  let err = installError.trim() === "" ? "the install step left no message; see its log" : installError;
  if (err.length > MAX_ERROR) err = err.slice(0, MAX_ERROR) + "\n… (cut; see the install step's log)";
  const where = code1(keypath) + (commentKey !== "" ? " (" + code1(commentKey) + ")" : "");
  let b = `#### ❌ plainsync ${command} for ${where} failed\n\n`;
  b += `plainsync could not be installed, so no ${command} ran; an earlier plan shown here no longer applies.\n\n`;
  b += codeBlock(err) + "\n";
  b += `<sub>plainsync ${command}`;
  if (sha !== "") b += " for " + code1(sha.slice(0, 7));
  const run = runURL();
  if (run !== "") b += ` · [run](${run})`;
  b += " · install failed</sub>\n";
  return mask(b);
}

// ---- GitHub's REST API. ----

function loopbackHost(host) {
  const h = host.replace(/^\[|\]$/g, "");
  if (h.toLowerCase() === "localhost") return true;
  if (net.isIPv4(h)) return h.split(".")[0] === "127";
  if (net.isIPv6(h)) return h === "::1" || /^(0{0,4}:){7}0{0,3}1$/.test(h);
  return false;
}

function apiBase() {
  const raw = (env.GITHUB_API_URL || "https://api.github.com").replace(/\/+$/, "");
  let u;
  try {
    u = new URL(raw);
  } catch {
    throw new Error(`GitHub API URL ${JSON.stringify(raw)} is not a URL`);
  }
  if (!(u.protocol === "https:" || (u.protocol === "http:" && loopbackHost(u.hostname)))) {
    throw new Error(`GitHub API URL ${JSON.stringify(raw)} must use https (plain http only for a loopback host): the token would travel in the clear`);
  }
  return raw;
}

async function gh(base, method, p, payload) {
  const headers = {
    Authorization: `Bearer ${token}`,
    Accept: "application/vnd.github+json",
    "X-GitHub-Api-Version": "2022-11-28",
    "User-Agent": "plainsync-action",
  };
  if (payload !== undefined) headers["Content-Type"] = "application/json";
  let resp;
  try {
    resp = await fetch(base + p, {
      method,
      headers,
      body: payload === undefined ? undefined : JSON.stringify(payload),
      // Never follow a redirect with the token.
      redirect: "error",
      signal: AbortSignal.timeout(30000),
    });
  } catch (e) {
    throw new Error(`${method} ${p}: ${e.cause?.message ?? e.message}`);
  }
  const text = await resp.text();
  if (!resp.ok) {
    let msg = "";
    try {
      msg = JSON.parse(text).message ?? "";
    } catch {
      // not JSON
    }
    if (msg === "") msg = resp.statusText;
    const hint = resp.status === 403 || resp.status === 404 ? " (does the workflow grant permissions: pull-requests: write?)" : "";
    throw new Error(`${method} ${p}: GitHub answered ${resp.status}: ${msg}${hint}`);
  }
  try {
    return text === "" ? null : JSON.parse(text);
  } catch {
    throw new Error(`${method} ${p}: GitHub's answer is not the JSON expected`);
  }
}

function repoPathPart(repo) {
  return repo.split("/").map(encodeURIComponent).join("/");
}

async function listComments(base, repo, n) {
  const all = [];
  for (let page = 1; page <= 100; page++) {
    const cs = (await gh(base, "GET", `/repos/${repoPathPart(repo)}/issues/${n}/comments?per_page=100&page=${page}`)) ?? [];
    if (!Array.isArray(cs)) throw new Error(`list the comments of #${n}: GitHub's answer is not a list`);
    all.push(...cs);
    if (cs.length < 100) break;
  }
  return all;
}

// ---- The event: which pull request. ----

function readEvent() {
  const ev = { name: env.GITHUB_EVENT_NAME ?? "", repo: env.GITHUB_REPOSITORY ?? "", sha: env.GITHUB_SHA ?? "", pr: 0 };
  if (ev.name !== "pull_request" && ev.name !== "pull_request_target") return ev;
  const p = env.GITHUB_EVENT_PATH ?? "";
  if (p === "") throw new Error(`GITHUB_EVENT_PATH is not set for a ${ev.name} event`);
  let payload;
  try {
    payload = JSON.parse(fs.readFileSync(p, "utf8"));
  } catch (e) {
    throw new Error(`read the event payload: ${e.message}`);
  }
  const pr = payload?.pull_request ?? {};
  ev.pr = Number.isInteger(pr.number) ? pr.number : 0;
  if (typeof pr.head?.sha === "string" && pr.head.sha !== "") ev.sha = pr.head.sha; // GITHUB_SHA is the test merge commit
  return ev;
}

async function main() {
  if (typeof fetch !== "function") {
    message("warning", `the pull-request comment could not be updated with the install error: node ${process.version} has no fetch (Node.js 18 or later needed); it may still show an earlier plan`);
    return 0;
  }
  const command = env.PLAINSYNC_COMMAND ?? "";
  if (!COMMANDS.has(command)) {
    message("notice", "no pull-request comment: input command must be plan, apply, drift or validate");
    return 0;
  }
  const dir = path.resolve(env.PLAINSYNC_WORKDIR || ".");
  let files = words(env.PLAINSYNC_FILES);
  let saved = "";
  for (const a of words(env.PLAINSYNC_ARGS)) {
    if (!a.startsWith("-") && a.endsWith(".json")) saved = a;
  }
  // No files: plainsync reads its default, plainsync.yaml.
  if (files.length === 0) files = ["plainsync.yaml"];
  files = command === "apply" && saved !== "" ? savedPlanFiles(saved, dir) : expandPaths(files, dir);
  const commentKey = env.PLAINSYNC_COMMENT_KEY ?? "";

  const ev = readEvent();
  const base = apiBase();
  if (token.trim() === "") {
    throw new Error("no GitHub token: set the input github-token (the default, ${{ github.token }}, needs permissions: pull-requests: write)");
  }
  let pr = ev.pr;
  if (pr === 0 && ev.sha !== "" && ev.repo !== "") {
    // A push (the merge of a reviewed pull request): the pull request the
    // commit came from.
    const prs = await gh(base, "GET", `/repos/${repoPathPart(ev.repo)}/commits/${encodeURIComponent(ev.sha)}/pulls`);
    if (Array.isArray(prs) && prs.length > 0 && Number.isInteger(prs[0]?.number)) pr = prs[0].number;
  }
  if (pr === 0 || ev.repo === "") {
    message("notice", `no pull request to comment on for this ${ev.name} event`);
    return 0;
  }

  const installError = env.PLAINSYNC_INSTALL_ERROR ?? "";
  const comments = await listComments(base, ev.repo, pr);
  const done = new Set();
  for (const file of files) {
    const keypath = repoPath(file, dir);
    const m = marker(command + " " + (commentKey !== "" ? commentKey + " " : "") + keypath);
    if (done.has(m)) continue;
    done.add(m);
    const text = m + "\n" + body(command, keypath, commentKey, installError, ev.sha);
    const old = comments.find((c) => c?.user?.type === "Bot" && typeof c.body === "string" && c.body.startsWith(m));
    let result;
    if (old) {
      await gh(base, "PATCH", `/repos/${repoPathPart(ev.repo)}/issues/comments/${encodeURIComponent(old.id)}`, { body: text });
      old.body = text;
      result = "updated";
    } else {
      const c = await gh(base, "POST", `/repos/${repoPathPart(ev.repo)}/issues/${pr}/comments`, { body: text });
      comments.push(c ?? { user: { type: "Bot" }, body: text });
      result = "created";
    }
    process.stderr.write(mask(`Pull-request comment on #${pr} for ${keypath}: ${result} with the install error.\n`));
  }
  return 0;
}

try {
  process.exitCode = await main();
} catch (e) {
  message("error", `pull-request comment: ${e.message}; it may still show an earlier plan`);
  process.exitCode = 1;
}
