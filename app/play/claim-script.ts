// The playground's claim, sent by an inline script in the page's HTML: it runs as the HTML
// arrives, hundreds of ms before React and the page's modules are evaluated, so the lab machine
// is usually claimed, and its first terminal's token fetched, by the time the page can show the
// terminal. Playground.tsx takes both answers.
import { SANDBOXES_PATH } from '../../protocol/sandbox.ts';
import { TERMINAL_TOKEN_PATH } from '../../protocol/terminal.ts';

export const PLAY_CLAIM_GLOBAL = '__dnlPlayClaim';

export interface EarlyClaim {
  ok: boolean;
  status: number;
  body: { id?: string; status?: string; hosts?: Array<{ name: string }>; error?: string };
  /** The token request for the first host's terminal 0, sent as soon as the claim answered. */
  token?: Promise<Response>;
}

/** Plain ES5 for a <script> tag: the same requests as Playground's claim() and fetchToken(). */
export const PLAY_CLAIM_SCRIPT = `(function(){try{
var n=Number(new URLSearchParams(location.search).get('hosts')||'1');if(!(n>=1&&n<=4&&n%1===0))n=1;
window[${JSON.stringify(PLAY_CLAIM_GLOBAL)}]=fetch(${JSON.stringify(SANDBOXES_PATH)},{method:'POST',headers:{'content-type':'application/json'},body:JSON.stringify({hosts:n,wait:true})})
.then(function(r){return r.json().catch(function(){return {};}).then(function(b){
var c={ok:r.ok,status:r.status,body:b},h=b.hosts&&b.hosts[0]&&b.hosts[0].name;
if(r.ok&&b.status==='ready'&&b.id&&h){c.token=fetch(${JSON.stringify(TERMINAL_TOKEN_PATH)},{method:'POST',headers:{'content-type':'application/json'},body:JSON.stringify({sandboxId:b.id,host:h,terminal:0})});c.token.catch(function(){});}
return c;});});
}catch(e){}})();`;
