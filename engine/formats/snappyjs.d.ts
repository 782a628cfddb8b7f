// Types for snappyjs (a pure-JavaScript Snappy, which ships none): Avro files' 'snappy' codec.
declare module 'snappyjs' {
  const snappy: {
    compress(input: Buffer): Buffer;
    uncompress(input: Buffer, maxLength?: number): Buffer;
  };
  export default snappy;
}
