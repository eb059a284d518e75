<?php
declare(strict_types=1);

namespace Ripple\Tests\Unit;

use Psc\Worker\Command;
use Psc\Worker\WorkerException;
use Ripple\Tests\RippleTestCase;

final class CommandPayload
{
    public function __construct(public int $a = 0, public array $list = [], public ?CommandPayload $child = null) {}
}

final class CommandTest extends RippleTestCase
{
    public function testConstructorSetsNameAndArguments(): void
    {
        $c = new Command('ping', ['a' => 1, 'b' => [2, 3]]);
        self::assertSame('ping', $c->name);
        self::assertSame(['a' => 1, 'b' => [2, 3]], $c->arguments);
    }

    public function testArgumentsDefaultToAnEmptyArray(): void
    {
        self::assertSame([], (new Command('ping'))->arguments);
        self::assertSame([], Command::make('ping')->arguments);
    }

    public function testMakeIsTheConstructor(): void
    {
        $c = Command::make('x', ['k' => 'v']);
        self::assertInstanceOf(Command::class, $c);
        self::assertSame('x', $c->name);
        self::assertSame(['k' => 'v'], $c->arguments);
        self::assertEquals(new Command('x', ['k' => 'v']), $c);
    }

    public function testPropertiesAreReadonly(): void
    {
        $c = new Command('x', ['a' => 1]);
        try {
            $c->name = 'y';
            self::fail('name was modified');
        } catch (\Error $e) {
            self::assertStringContainsString('readonly', $e->getMessage());
        }
        try {
            $c->arguments = [];
            self::fail('arguments were modified');
        } catch (\Error $e) {
            self::assertStringContainsString('readonly', $e->getMessage());
        }
        self::assertSame('x', $c->name);
        self::assertSame(['a' => 1], $c->arguments);
    }

    public function testReadonlyPropertiesAreDeclaredAsInTheContract(): void
    {
        $name = new \ReflectionProperty(Command::class, 'name');
        $arguments = new \ReflectionProperty(Command::class, 'arguments');
        self::assertTrue($name->isReadOnly() && $name->isPublic());
        self::assertTrue($arguments->isReadOnly() && $arguments->isPublic());
        self::assertSame('string', (string) $name->getType());
        self::assertSame('array', (string) $arguments->getType());
    }

    public function testConstructorCannotBeCalledTwice(): void
    {
        $c = new Command('x');
        $this->expectException(\Error::class);
        $c->__construct('y');
    }

    public function testArgumentsHaveValueSemantics(): void
    {
        $args = ['a' => 1];
        $c = new Command('x', $args);
        $args['a'] = 2;
        self::assertSame(['a' => 1], $c->arguments);
    }

    public static function roundTripProvider(): array
    {
        $obj = new \stdClass();
        $obj->x = 1;
        $obj->nested = ['deep' => [1, 2, ['deeper' => true]]];
        return [
            'scalars' => ['scalars', ['int' => 42, 'neg' => -7, 'float' => 1.5, 'true' => true, 'false' => false, 'null' => null, 'str' => 'hé ✓ "quoted"\n', 'bin' => "\0\xff\x01"]],
            'list' => ['list', [1, 2, 3, 'four']],
            'nested arrays' => ['nested', ['a' => ['b' => ['c' => ['d' => [1, [2, [3]]]]]], 'empty' => []]],
            'stdClass' => ['obj', ['o' => $obj]],
            'user objects' => ['user', ['p' => new CommandPayload(1, ['x' => 'y'], new CommandPayload(2))]],
            'numeric keys' => ['keys', [5 => 'five', '07' => 'string key', -1 => 'minus']],
            'big' => ['big', ['blob' => str_repeat('abc', 100000)]],
            'name with odd bytes' => ["na\0me:\n{}", ['x' => 1]],
        ];
    }

    /** @dataProvider roundTripProvider */
    public function testToStringFromStringRoundTrip(string $name, array $arguments): void
    {
        $c = Command::make($name, $arguments);
        $s = (string) $c;
        self::assertIsString($s);
        self::assertSame($s, $c->__toString());
        $back = Command::fromString($s);
        self::assertInstanceOf(Command::class, $back);
        self::assertSame($name, $back->name);
        self::assertEquals($arguments, $back->arguments);
        self::assertSame((string) $back, $s, 'serialized form is stable');
    }

    public function testUserObjectComesBackAsItsClass(): void
    {
        $back = Command::fromString((string) Command::make('u', ['p' => new CommandPayload(3, [], new CommandPayload(4))]));
        self::assertInstanceOf(CommandPayload::class, $back->arguments['p']);
        self::assertSame(4, $back->arguments['p']->child->a);
    }

    public function testEmptyArgumentsRoundTrip(): void
    {
        // In a separate process: this case has crashed the interpreter (see the report).
        $p = $this->runSnippet(<<<'PHP'
            use Psc\Worker\Command;
            $a = (string) new Command('x');
            $b = (string) Command::make('y', []);
            $back = Command::fromString($a);
            echo json_encode([$back->name, $back->arguments, Command::fromString($b)->name]), "\n";
            PHP);
        self::assertSame(0, $p->wait(), $p->output());
        self::assertSame('["x",[],"y"]' . "\n", $p->out(), $p->output());
    }

    public static function garbageProvider(): array
    {
        return [
            'empty' => [''],
            'text' => ['not a command'],
            'truncated' => [substr(serialize(['name' => 'x', 'arguments' => ['a' => 1]]), 0, -3)],
            'int' => [serialize(42)],
            'list' => [serialize([1, 2])],
            'name not a string' => [serialize(['name' => 1, 'arguments' => []])],
            'arguments not an array' => [serialize(['name' => 'x', 'arguments' => 'y'])],
            'missing arguments' => [serialize(['name' => 'x'])],
            'object' => [serialize(new \stdClass())],
            'json' => ['{"name":"x","arguments":[]}'],
            'binary' => ["\xA7\x02\x00\x00garbage\xff"],
        ];
    }

    /** @dataProvider garbageProvider */
    public function testFromStringOfGarbageThrowsWorkerException(string $data): void
    {
        $this->expectException(WorkerException::class);
        Command::fromString($data);
    }

    public function testWorkerExceptionIsARuntimeException(): void
    {
        self::assertTrue(is_subclass_of(WorkerException::class, \RuntimeException::class));
    }

    public function testClosureInsideArgumentsThrowsOnToString(): void
    {
        $c = Command::make('x', ['f' => static fn () => 1]);
        $this->expectException(WorkerException::class);
        (string) $c;
    }

    public function testResourceInsideArgumentsThrowsOnToString(): void
    {
        $c = Command::make('x', ['deep' => ['r' => STDERR]]);
        try {
            (string) $c;
            self::fail('no exception');
        } catch (WorkerException $e) {
            self::assertStringContainsString('resource', $e->getMessage());
            self::assertStringContainsString("['deep']['r']", $e->getMessage());
        }
    }

    public function testObjectHoldingAClosureThrowsOnToString(): void
    {
        $o = new \stdClass();
        $o->f = static fn () => 1;
        $this->expectException(WorkerException::class);
        (string) Command::make('x', ['o' => $o]);
    }
}
