// SPDX-License-Identifier: AGPL-3.0-or-later
// Does what an app built on megalodon (Whalebird and others) does when someone adds an account
// on a server: detect the server's software from NodeInfo, register the app, then use the
// client megalodon chose, with the token the test gives.
//
// Arguments: base URL, access token, text of a status to post.
// Output (stdout): one JSON object of what the app saw, or {error} with exit status 1.
// The only server contacted is the base URL given (a coopol on loopback).
import generator, { detector } from "megalodon";

const [base, token, text] = process.argv.slice(2);

function failure(step, err) {
  const status = err?.response?.status ?? null;
  const body = err?.response?.data ?? null;
  return { error: `${step}: ${err?.message ?? err}`, status, body };
}

async function run() {
  let step = "detector";
  try {
    const sns = await detector(base);
    step = "registerApp";
    const app = await generator(sns, base).registerApp("coopol megalodon test", {
      scopes: ["read", "write", "follow"],
    });
    const client = generator(sns, base, token);
    step = "verifyAccountCredentials";
    const me = (await client.verifyAccountCredentials()).data;
    step = "postStatus";
    const posted = (await client.postStatus(text, { visibility: "public" })).data;
    step = "favouriteStatus";
    const favourited = (await client.favouriteStatus(posted.id)).data;
    step = "getHomeTimeline";
    const home = (await client.getHomeTimeline({ limit: 20 })).data;
    step = "getInstance";
    const instance = (await client.getInstance()).data;
    return {
      sns,
      authorizeUrl: app.url,
      clientId: app.client_id,
      username: me.username,
      posted: { id: posted.id, content: posted.content, visibility: posted.visibility },
      favourited: favourited.favourited,
      homeIds: home.map((s) => s.id),
      instanceUri: instance.uri,
    };
  } catch (err) {
    return failure(step, err);
  }
}

const out = await run();
process.stdout.write(JSON.stringify(out));
process.exitCode = out.error ? 1 : 0;
