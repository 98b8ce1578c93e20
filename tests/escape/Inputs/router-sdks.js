// Run inside the sandbox by inference-router.test: the official SDKs (npm `openai` and
// `@anthropic-ai/sdk`), configured by nothing but the variables the sandbox has, call fake
// providers through the router: answers, a stream, and refusals as each SDK's own errors.
const OpenAI = require('openai');
const Anthropic = require('@anthropic-ai/sdk');
(async () => {
  const openai = new OpenAI();
  const r = await openai.chat.completions.create({model: 'fake-gpt-4o', messages: [{role: 'user', content: 'hi'}]});
  console.log('openai-sdk:', r.model, r.choices[0].message.content.split(';')[0]);
  const stream = await openai.chat.completions.create({model: 'fake-gpt-4o', stream: true, messages: [{role: 'user', content: 'hi'}]});
  let parts = [];
  for await (const chunk of stream) parts.push(chunk.choices[0].delta.content);
  console.log('openai-sdk-stream:', parts.join('').trim());
  try { await openai.chat.completions.create({model: 'fake-gpt-denied-1', messages: []}); }
  catch (e) { console.log('openai-sdk-refused:', e.status, e.constructor.name, e.error && e.error.type); }
  const anthropic = new Anthropic();
  const m = await anthropic.messages.create({model: 'fake-claude-3', max_tokens: 5, messages: [{role: 'user', content: 'hi'}]});
  console.log('anthropic-sdk:', m.model, m.content[0].text.split(';')[0]);
  try { await anthropic.messages.create({model: 'llama-3', max_tokens: 5, messages: []}); }
  catch (e) { console.log('anthropic-sdk-refused:', e.status, e.constructor.name, e.error && e.error.error && e.error.error.type); }
})().catch(e => console.log('failed:', e.message));
