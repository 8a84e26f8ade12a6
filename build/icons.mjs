// Draws the app icon (build/icon.png, 512×512 RGBA) without any image library: a rounded square
// with a recurrent loop arrow over a time series. electron-builder derives the .ico (Windows), the
// .icns (macOS) and the Linux icon set from this one PNG. Run `node build/icons.mjs` to redraw;
// the PNG is committed so packaging needs nothing but this file.
import { writeFileSync } from 'node:fs';
import { deflateSync } from 'node:zlib';

const SIZE = 512;
const px = new Float64Array(SIZE * SIZE * 4);

function blend(x, y, [r, g, b], alpha) {
  if (alpha <= 0 || x < 0 || y < 0 || x >= SIZE || y >= SIZE) return;
  const i = (y * SIZE + x) * 4;
  const a = Math.min(1, alpha);
  px[i] = px[i] * (1 - a) + r * a;
  px[i + 1] = px[i + 1] * (1 - a) + g * a;
  px[i + 2] = px[i + 2] * (1 - a) + b * a;
  px[i + 3] = px[i + 3] * (1 - a) + 255 * a;
}

function segDist(x, y, [ax, ay], [bx, by]) {
  const dx = bx - ax;
  const dy = by - ay;
  const t = Math.max(0, Math.min(1, ((x - ax) * dx + (y - ay) * dy) / (dx * dx + dy * dy || 1)));
  return Math.hypot(x - (ax + t * dx), y - (ay + t * dy));
}

/** Strokes a polyline with anti-aliased round joins. */
function stroke(points, width, color) {
  const xs = points.map((p) => p[0]);
  const ys = points.map((p) => p[1]);
  const pad = width + 2;
  for (let y = Math.floor(Math.min(...ys) - pad); y <= Math.max(...ys) + pad; y++) {
    for (let x = Math.floor(Math.min(...xs) - pad); x <= Math.max(...xs) + pad; x++) {
      let d = Infinity;
      for (let k = 1; k < points.length; k++) d = Math.min(d, segDist(x + 0.5, y + 0.5, points[k - 1], points[k]));
      blend(x, y, color, width / 2 + 0.5 - d);
    }
  }
}

// Background: rounded square, vertical gradient.
const R = 96;
for (let y = 0; y < SIZE; y++) {
  for (let x = 0; x < SIZE; x++) {
    const cx = Math.min(Math.max(x + 0.5, R + 16), SIZE - R - 16);
    const cy = Math.min(Math.max(y + 0.5, R + 16), SIZE - R - 16);
    const inside = R + 0.5 - Math.hypot(x + 0.5 - cx, y + 0.5 - cy);
    const t = y / SIZE;
    blend(x, y, [Math.round(22 + 10 * t), Math.round(30 + 14 * t), Math.round(48 + 30 * t)], inside);
  }
}

// A time series across the lower half.
const series = [];
for (let i = 0; i <= 60; i++) {
  const x = 72 + (i / 60) * 368;
  const y = 350 - 46 * Math.sin(i / 5.2) - 22 * Math.sin(i / 1.9 + 1) - i * 0.9;
  series.push([x, y]);
}
stroke(series, 16, [94, 200, 255]);

// The recurrent loop: three quarters of a circle with an arrow head.
const loop = [];
const cx = 256;
const cy = 170;
const r = 70;
for (let a = -0.25 * Math.PI; a <= 1.25 * Math.PI; a += Math.PI / 48)
  loop.push([cx + r * Math.cos(a), cy - r * Math.sin(a)]);
stroke(loop, 18, [255, 176, 72]);
const end = loop[loop.length - 1];
stroke([[end[0] - 34, end[1] - 6], end, [end[0] + 6, end[1] - 36]], 18, [255, 176, 72]);

// PNG encoding: 8-bit RGBA, filter 0 per row, one IDAT.
const raw = Buffer.alloc(SIZE * (SIZE * 4 + 1));
for (let y = 0; y < SIZE; y++) {
  raw[y * (SIZE * 4 + 1)] = 0;
  for (let x = 0; x < SIZE * 4; x++) raw[y * (SIZE * 4 + 1) + 1 + x] = Math.round(px[y * SIZE * 4 + x]);
}
const crcTable = Array.from({ length: 256 }, (_, n) => {
  let c = n;
  for (let k = 0; k < 8; k++) c = c & 1 ? 0xedb88320 ^ (c >>> 1) : c >>> 1;
  return c >>> 0;
});
function crc32(buf) {
  let c = 0xffffffff;
  for (const b of buf) c = crcTable[(c ^ b) & 0xff] ^ (c >>> 8);
  return (c ^ 0xffffffff) >>> 0;
}
function chunk(type, data) {
  const len = Buffer.alloc(4);
  len.writeUInt32BE(data.length);
  const body = Buffer.concat([Buffer.from(type, 'ascii'), data]);
  const crc = Buffer.alloc(4);
  crc.writeUInt32BE(crc32(body));
  return Buffer.concat([len, body, crc]);
}
const ihdr = Buffer.alloc(13);
ihdr.writeUInt32BE(SIZE, 0);
ihdr.writeUInt32BE(SIZE, 4);
ihdr[8] = 8; // bit depth
ihdr[9] = 6; // RGBA
const png = Buffer.concat([
  Buffer.from([0x89, 0x50, 0x4e, 0x47, 0x0d, 0x0a, 0x1a, 0x0a]),
  chunk('IHDR', ihdr),
  chunk('IDAT', deflateSync(raw, { level: 9 })),
  chunk('IEND', Buffer.alloc(0)),
]);
const out = new URL('./icon.png', import.meta.url);
writeFileSync(out, png);
console.log(`wrote ${out.pathname} (${png.length} bytes)`);
