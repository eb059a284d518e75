/* This is a generated file, edit the .stub.php file instead.
 * Stub hash: f63c326f0dcd6ac32d9caae034747bb3f859dadf */

ZEND_BEGIN_ARG_WITH_RETURN_TYPE_INFO_EX(arginfo_class_Psc_Event_Loop_defer, 0, 1, IS_STRING, 0)
	ZEND_ARG_TYPE_INFO(0, callback, IS_CALLABLE, 0)
ZEND_END_ARG_INFO()

ZEND_BEGIN_ARG_WITH_RETURN_TYPE_INFO_EX(arginfo_class_Psc_Event_Loop_delay, 0, 2, IS_STRING, 0)
	ZEND_ARG_TYPE_INFO(0, delay, IS_DOUBLE, 0)
	ZEND_ARG_TYPE_INFO(0, callback, IS_CALLABLE, 0)
ZEND_END_ARG_INFO()

ZEND_BEGIN_ARG_WITH_RETURN_TYPE_INFO_EX(arginfo_class_Psc_Event_Loop_repeat, 0, 2, IS_STRING, 0)
	ZEND_ARG_TYPE_INFO(0, interval, IS_DOUBLE, 0)
	ZEND_ARG_TYPE_INFO(0, callback, IS_CALLABLE, 0)
ZEND_END_ARG_INFO()

ZEND_BEGIN_ARG_WITH_RETURN_TYPE_INFO_EX(arginfo_class_Psc_Event_Loop_onReadable, 0, 2, IS_STRING, 0)
	ZEND_ARG_TYPE_INFO(0, stream, IS_MIXED, 0)
	ZEND_ARG_TYPE_INFO(0, callback, IS_CALLABLE, 0)
ZEND_END_ARG_INFO()

#define arginfo_class_Psc_Event_Loop_onWritable arginfo_class_Psc_Event_Loop_onReadable

ZEND_BEGIN_ARG_WITH_RETURN_TYPE_INFO_EX(arginfo_class_Psc_Event_Loop_onSignal, 0, 2, IS_STRING, 0)
	ZEND_ARG_TYPE_INFO(0, signal, IS_LONG, 0)
	ZEND_ARG_TYPE_INFO(0, callback, IS_CALLABLE, 0)
ZEND_END_ARG_INFO()

ZEND_BEGIN_ARG_WITH_RETURN_TYPE_INFO_EX(arginfo_class_Psc_Event_Loop_cancel, 0, 1, IS_VOID, 0)
	ZEND_ARG_TYPE_INFO(0, callbackId, IS_STRING, 0)
ZEND_END_ARG_INFO()

ZEND_BEGIN_ARG_WITH_RETURN_TYPE_INFO_EX(arginfo_class_Psc_Event_Loop_enable, 0, 1, IS_STRING, 0)
	ZEND_ARG_TYPE_INFO(0, callbackId, IS_STRING, 0)
ZEND_END_ARG_INFO()

#define arginfo_class_Psc_Event_Loop_disable arginfo_class_Psc_Event_Loop_enable

#define arginfo_class_Psc_Event_Loop_reference arginfo_class_Psc_Event_Loop_enable

#define arginfo_class_Psc_Event_Loop_unreference arginfo_class_Psc_Event_Loop_enable

ZEND_BEGIN_ARG_WITH_RETURN_TYPE_INFO_EX(arginfo_class_Psc_Event_Loop_isEnabled, 0, 1, _IS_BOOL, 0)
	ZEND_ARG_TYPE_INFO(0, callbackId, IS_STRING, 0)
ZEND_END_ARG_INFO()

ZEND_BEGIN_ARG_WITH_RETURN_TYPE_INFO_EX(arginfo_class_Psc_Event_Loop_run, 0, 0, IS_VOID, 0)
ZEND_END_ARG_INFO()

#define arginfo_class_Psc_Event_Loop_stop arginfo_class_Psc_Event_Loop_run

ZEND_BEGIN_ARG_WITH_RETURN_TYPE_INFO_EX(arginfo_class_Psc_Event_Loop_sleep, 0, 1, IS_VOID, 0)
	ZEND_ARG_TYPE_INFO(0, seconds, IS_DOUBLE, 0)
ZEND_END_ARG_INFO()

ZEND_BEGIN_ARG_WITH_RETURN_TYPE_INFO_EX(arginfo_class_Psc_Event_Loop_awaitReadable, 0, 1, _IS_BOOL, 0)
	ZEND_ARG_TYPE_INFO(0, stream, IS_MIXED, 0)
	ZEND_ARG_TYPE_INFO_WITH_DEFAULT_VALUE(0, timeout, IS_DOUBLE, 0, "-1")
ZEND_END_ARG_INFO()

#define arginfo_class_Psc_Event_Loop_awaitWritable arginfo_class_Psc_Event_Loop_awaitReadable


ZEND_METHOD(Psc_Event_Loop, defer);
ZEND_METHOD(Psc_Event_Loop, delay);
ZEND_METHOD(Psc_Event_Loop, repeat);
ZEND_METHOD(Psc_Event_Loop, onReadable);
ZEND_METHOD(Psc_Event_Loop, onWritable);
ZEND_METHOD(Psc_Event_Loop, onSignal);
ZEND_METHOD(Psc_Event_Loop, cancel);
ZEND_METHOD(Psc_Event_Loop, enable);
ZEND_METHOD(Psc_Event_Loop, disable);
ZEND_METHOD(Psc_Event_Loop, reference);
ZEND_METHOD(Psc_Event_Loop, unreference);
ZEND_METHOD(Psc_Event_Loop, isEnabled);
ZEND_METHOD(Psc_Event_Loop, run);
ZEND_METHOD(Psc_Event_Loop, stop);
ZEND_METHOD(Psc_Event_Loop, sleep);
ZEND_METHOD(Psc_Event_Loop, awaitReadable);
ZEND_METHOD(Psc_Event_Loop, awaitWritable);


static const zend_function_entry class_Psc_Event_Loop_methods[] = {
	ZEND_ME(Psc_Event_Loop, defer, arginfo_class_Psc_Event_Loop_defer, ZEND_ACC_PUBLIC|ZEND_ACC_STATIC)
	ZEND_ME(Psc_Event_Loop, delay, arginfo_class_Psc_Event_Loop_delay, ZEND_ACC_PUBLIC|ZEND_ACC_STATIC)
	ZEND_ME(Psc_Event_Loop, repeat, arginfo_class_Psc_Event_Loop_repeat, ZEND_ACC_PUBLIC|ZEND_ACC_STATIC)
	ZEND_ME(Psc_Event_Loop, onReadable, arginfo_class_Psc_Event_Loop_onReadable, ZEND_ACC_PUBLIC|ZEND_ACC_STATIC)
	ZEND_ME(Psc_Event_Loop, onWritable, arginfo_class_Psc_Event_Loop_onWritable, ZEND_ACC_PUBLIC|ZEND_ACC_STATIC)
	ZEND_ME(Psc_Event_Loop, onSignal, arginfo_class_Psc_Event_Loop_onSignal, ZEND_ACC_PUBLIC|ZEND_ACC_STATIC)
	ZEND_ME(Psc_Event_Loop, cancel, arginfo_class_Psc_Event_Loop_cancel, ZEND_ACC_PUBLIC|ZEND_ACC_STATIC)
	ZEND_ME(Psc_Event_Loop, enable, arginfo_class_Psc_Event_Loop_enable, ZEND_ACC_PUBLIC|ZEND_ACC_STATIC)
	ZEND_ME(Psc_Event_Loop, disable, arginfo_class_Psc_Event_Loop_disable, ZEND_ACC_PUBLIC|ZEND_ACC_STATIC)
	ZEND_ME(Psc_Event_Loop, reference, arginfo_class_Psc_Event_Loop_reference, ZEND_ACC_PUBLIC|ZEND_ACC_STATIC)
	ZEND_ME(Psc_Event_Loop, unreference, arginfo_class_Psc_Event_Loop_unreference, ZEND_ACC_PUBLIC|ZEND_ACC_STATIC)
	ZEND_ME(Psc_Event_Loop, isEnabled, arginfo_class_Psc_Event_Loop_isEnabled, ZEND_ACC_PUBLIC|ZEND_ACC_STATIC)
	ZEND_ME(Psc_Event_Loop, run, arginfo_class_Psc_Event_Loop_run, ZEND_ACC_PUBLIC|ZEND_ACC_STATIC)
	ZEND_ME(Psc_Event_Loop, stop, arginfo_class_Psc_Event_Loop_stop, ZEND_ACC_PUBLIC|ZEND_ACC_STATIC)
	ZEND_ME(Psc_Event_Loop, sleep, arginfo_class_Psc_Event_Loop_sleep, ZEND_ACC_PUBLIC|ZEND_ACC_STATIC)
	ZEND_ME(Psc_Event_Loop, awaitReadable, arginfo_class_Psc_Event_Loop_awaitReadable, ZEND_ACC_PUBLIC|ZEND_ACC_STATIC)
	ZEND_ME(Psc_Event_Loop, awaitWritable, arginfo_class_Psc_Event_Loop_awaitWritable, ZEND_ACC_PUBLIC|ZEND_ACC_STATIC)
	ZEND_FE_END
};

static zend_class_entry *register_class_Psc_Event_Loop(void)
{
	zend_class_entry ce, *class_entry;

	INIT_NS_CLASS_ENTRY(ce, "Psc\\Event", "Loop", class_Psc_Event_Loop_methods);
	class_entry = zend_register_internal_class_ex(&ce, NULL);
	class_entry->ce_flags |= ZEND_ACC_FINAL;

	return class_entry;
}
