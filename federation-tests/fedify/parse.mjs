// SPDX-License-Identifier: AGPL-3.0-or-later
// Parses ActivityPub documents with Fedify's vocabulary library (@fedify/vocab),
// an implementation independent of coopol, and prints what it understood.
//
// Input (stdin): a JSON array of documents, already fetched by the test.
// Output (stdout): a JSON array, one summary per document: {ok, type, id, ...}
// or {ok: false, error}.  Nothing here touches the network: JSON-LD contexts
// come from Fedify's preloaded copies, and any other document asked for is an
// error.
import { readFileSync } from "node:fs";
import { CryptographicKey, Note, Object as APObject } from "@fedify/vocab";
import { preloadedContexts } from "@fedify/vocab-runtime";

async function offlineLoader(url) {
  if (Object.hasOwn(preloadedContexts, url)) {
    return { contextUrl: null, documentUrl: url, document: preloadedContexts[url] };
  }
  throw new Error(`refusing to load ${url}: this check runs offline`);
}

const loaders = { documentLoader: offlineLoader, contextLoader: offlineLoader };

function text(value) {
  return value == null ? null : value.toString();
}

async function summarize(doc) {
  const obj = await APObject.fromJsonLd(doc, loaders);
  const out = { ok: true, type: obj.constructor.name, id: text(obj.id) };
  if (obj instanceof Note) {
    out.content = text(obj.content);
    out.attributedTo = text(obj.attributionId);
    out.published = text(obj.published);
    return out;
  }
  if (typeof obj.getPublicKey === "function") {
    out.preferredUsername = text(obj.preferredUsername);
    out.inbox = text(obj.inboxId);
    out.sharedInbox = text(obj.endpoints?.sharedInbox);
    out.followers = text(obj.followersId);
    const key = await obj.getPublicKey(loaders);
    if (key instanceof CryptographicKey) {
      const spki = await crypto.subtle.exportKey("spki", await key.publicKey);
      out.publicKey = {
        id: text(key.id),
        owner: text(key.ownerId),
        algorithm: (await key.publicKey).algorithm.name,
        spkiBase64: Buffer.from(spki).toString("base64"),
      };
    }
  }
  return out;
}

const docs = JSON.parse(readFileSync(0, "utf8"));
const results = [];
for (const doc of docs) {
  try {
    results.push(await summarize(doc));
  } catch (e) {
    results.push({ ok: false, error: String(e && e.stack ? e.stack : e) });
  }
}
process.stdout.write(JSON.stringify(results));
