import type Anthropic from '@anthropic-ai/sdk';

/** Asks for a reply with `messages.create({ stream: true })`, as the SDK's users do, and joins its text deltas. */
export async function streamedReply(client: Anthropic): Promise<string> {
  const stream = await client.messages.create({
    model: 'claude-test-1',
    max_tokens: 64,
    stream: true,
    messages: [{ role: 'user', content: 'Say hello.' }],
  });
  let text = '';
  for await (const event of stream) {
    if (event.type === 'content_block_delta' && event.delta.type === 'text_delta') text += event.delta.text;
  }
  return text;
}
