// What a user without libtorch sees: the loader's error in a fresh process, with discovery pointed at
// an empty folder.
import { spawnSync } from 'child_process';
import * as fs from 'fs';
import * as os from 'os';
import * as path from 'path';

const root = path.resolve(__dirname, '..');

function loadIn(env: NodeJS.ProcessEnv) {
  const code = `try { const t = require('./lib'); console.log('LOADED ' + t.addonInfo.libtorchVersion); } catch (e) { console.log(e.name + ': ' + e.message); process.exitCode = 3; }`;
  return spawnSync(process.execPath, ['-r', './scripts/register-ts.js', '-e', code], { cwd: root, env: { ...process.env, ...env }, encoding: 'utf8' });
}

describe('native loader', () => {
  test('loads the addon for the libtorch found', () => {
    const r = loadIn({});
    expect(r.stdout).toMatch(/^LOADED \d+\.\d+/);
    expect(r.status).toBe(0);
  });

  test('with libtorch absent, require fails cleanly, naming the cause and the fixes', () => {
    const empty = fs.mkdtempSync(path.join(os.tmpdir(), 'no-libtorch-'));
    try {
      const r = loadIn({ LIBTORCH: empty });
      expect(r.status).toBe(3); // our exit code: a clean exception, not a crash or a signal
      expect(r.signal).toBeNull();
      expect(r.stdout).toContain('LoadError: torch-sentiment could not load its native addon.');
      expect(r.stdout).toContain(`libtorch was not found (LIBTORCH: ${path.join(empty, 'lib')} does not exist)`);
      expect(r.stdout).toMatch(/Prebuilt binaries: (none in|.*torch_sentiment\.libtorch-\d+\.\d+-(cpu|cuda)\.node \(for libtorch)/);
      expect(r.stdout).toContain('apt-get install libtorch1.13 libopenblas0-pthread');
      expect(r.stdout).toContain('LIBTORCH=/path/to/libtorch');
      expect(r.stdout).toContain('npm rebuild torch-sentiment --build-from-source');
    } finally {
      fs.rmSync(empty, { recursive: true, force: true });
    }
  });

  test('a runtime-only libtorch (versioned libraries, no headers) is found and runs the addon', () => {
    const found = spawnSync(process.execPath, ['lib/libtorch.js', '--json'], { cwd: root, encoding: 'utf8' });
    const info = JSON.parse(found.stdout) as { libDir: string };
    const libs = fs.readdirSync(info.libDir).filter((f) => /^lib(torch|torch_cpu|c10)\.so\.\d+\.\d+(\.\d+)?$/.test(f));
    if (libs.length === 0) return; // libtorch here has unversioned libraries only (the official zip): nothing to simulate
    const dir = fs.mkdtempSync(path.join(os.tmpdir(), 'runtime-libtorch-'));
    try {
      fs.mkdirSync(path.join(dir, 'lib'));
      for (const f of libs) fs.symlinkSync(path.join(info.libDir, f), path.join(dir, 'lib', f));
      const r = loadIn({ LIBTORCH: dir });
      expect(r.stdout).toMatch(/^LOADED \d+\.\d+/);
      expect(r.status).toBe(0);
    } finally {
      fs.rmSync(dir, { recursive: true, force: true });
    }
  });

  test('the discovery script used by the builds says the same', () => {
    const r = spawnSync(process.execPath, ['lib/libtorch.js', '--json'], { cwd: root, env: { ...process.env, LIBTORCH: '/nonexistent/libtorch' }, encoding: 'utf8' });
    expect(r.status).toBe(1);
    expect(r.stderr).toContain('libtorch not found (LIBTORCH: /nonexistent/libtorch does not exist)');
  });
});
