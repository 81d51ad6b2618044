import { expect, it } from 'vitest';
import { loadConfig } from './config.ts';

it('reads an empty variable as unset', () => {
  const config = loadConfig({ PORT: '', HOST: ' ', DATABASE_URL: '', MASKIN_SIGNUP: '', LOG_LEVEL: '' });
  expect(config.port).toBe(3000);
  expect(config.host).toBe('127.0.0.1');
  expect(config.databaseUrl).toBeUndefined();
  expect(config.signup).toBe('open');
});

it('accepts only PostgreSQL URLs in DATABASE_URL, naming the variable', () => {
  expect(() => loadConfig({ DATABASE_URL: 'mysql://root@localhost/db' })).toThrow(
    /DATABASE_URL: must be a PostgreSQL URL/,
  );
  expect(loadConfig({ DATABASE_URL: 'postgresql://u@h:5432/d' }).databaseUrl).toBe('postgresql://u@h:5432/d');
});

it('accepts only origins (or *) in MASKIN_CORS_ORIGINS', () => {
  expect(() => loadConfig({ MASKIN_CORS_ORIGINS: 'notaurl' })).toThrow(
    /MASKIN_CORS_ORIGINS: "notaurl" is not an origin/,
  );
  expect(() => loadConfig({ MASKIN_CORS_ORIGINS: 'https://a.example/path' })).toThrow(/is not an origin/);
  expect(() => loadConfig({ MASKIN_CORS_ORIGINS: 'ftp://a.example' })).toThrow(/is not an origin/);
  expect(
    loadConfig({ MASKIN_CORS_ORIGINS: 'https://a.example/, http://localhost:5173' }).corsOrigins,
  ).toEqual(['https://a.example', 'http://localhost:5173']);
  expect(loadConfig({ MASKIN_CORS_ORIGINS: '*' }).corsOrigins).toEqual(['*']);
});
